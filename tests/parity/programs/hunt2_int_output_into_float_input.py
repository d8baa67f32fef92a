"""An int output fed to a float input: flytekit's local run converts it; Flyte's compiler refuses it."""

from flytekit import task, workflow


@task
def count(xs: list[str]) -> int:
    return len(xs)


@task
def halve(x: float) -> float:
    return x / 2


@workflow
def wf(xs: list[str]) -> float:
    return halve(x=count(xs=xs))


print(wf(xs=["a", "b", "c"]))
