"""A constant of the wrong type passed to a task inside a workflow: flytekit's error on the first call."""

from flytekit import task, workflow


@task
def repeat(s: str, n: int) -> str:
    return s * n


@workflow
def wf(s: str) -> str:
    return repeat(s=s, n="three")


print("defined")
wf(s="ab")
