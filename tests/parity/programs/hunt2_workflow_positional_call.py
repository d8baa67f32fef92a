"""Calling a workflow with positional arguments, as flytekit allows or refuses."""

from flytekit import task, workflow


@task
def add(a: int, b: int) -> int:
    return a + b


@workflow
def wf(a: int, b: int = 2) -> int:
    return add(a=a, b=b)


print(wf(a=1))
print(wf(1, 5))
