"""Positional arguments inside a workflow bind to the inputs in order."""

from flytekit import task, workflow


@task
def sub(a: int, b: int) -> int:
    return a - b


@workflow
def wf(x: int, y: int) -> int:
    return sub(x, y)


print(wf(x=10, y=3))
print(wf(5, 2))
