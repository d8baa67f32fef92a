"""An unknown keyword argument inside a workflow is an AssertionError naming it."""

from flytekit import task, workflow


@task
def inc(x: int) -> int:
    return x + 1


@workflow
def wf(x: int) -> int:
    return inc(y=x)


print("calling")
wf(x=1)
