"""`-> (float, float)` declares two outputs, o0 and o1."""

from flytekit import task, workflow


@task
def stats(xs: list[float]) -> (float, float):
    m = sum(xs) / len(xs)
    return m, max(xs) - min(xs)


@task
def fmt(mean: float, spread: float) -> str:
    return f"mean={mean} spread={spread}"


@workflow
def wf(xs: list[float]) -> str:
    m, s = stats(xs=xs)
    return fmt(mean=m, spread=s)


print(list(stats.python_interface.outputs))
print(stats(xs=[1.0, 3.0]))
print(wf(xs=[2.0, 4.0, 6.0]))
