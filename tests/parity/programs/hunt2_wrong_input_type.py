"""Calling a workflow with a wrong input type: flytekit's error type and first line."""

from flytekit import task, workflow


@task
def t(a: int) -> int:
    return a


@workflow
def wf(a: int) -> int:
    return t(a=a)


wf(a="not an int")
