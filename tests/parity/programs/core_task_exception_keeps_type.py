"""An exception raised in a task keeps its type; its message names the task first."""

from flytekit import task, workflow


@task
def divide(a: int, b: int) -> float:
    return a / b


@workflow
def wf(a: int, b: int) -> float:
    return divide(a=a, b=b)


print(wf(a=1, b=2))
wf(a=1, b=0)
