"""A workflow called with an input of the wrong type: flytekit's TypeTransformerFailedError naming it."""

from flytekit import task, workflow


@task
def inc(x: int) -> int:
    return x + 1


@workflow
def wf(x: int) -> int:
    return inc(x=x)


print(wf(x=1))
wf(x="one")
