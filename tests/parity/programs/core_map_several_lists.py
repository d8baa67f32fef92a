"""map_task over several mapped lists zips them item by item."""

from flytekit import map_task, task, workflow


@task
def combine(a: int, b: str, c: float) -> str:
    return f"{b}{a * c}"


@workflow
def wf() -> list[str]:
    return map_task(combine)(a=[1, 2, 3], b=["x", "y", "z"], c=[0.5, 1.5, 2.5])


print(wf())
