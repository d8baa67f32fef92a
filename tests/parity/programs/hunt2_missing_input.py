"""Calling a workflow without a required input: flytekit's error."""

from flytekit import task, workflow


@task
def t(a: int, b: str) -> str:
    return b * a


@workflow
def wf(a: int, b: str) -> str:
    return t(a=a, b=b)


print(wf(a=2, b="x"))
wf(a=2)
