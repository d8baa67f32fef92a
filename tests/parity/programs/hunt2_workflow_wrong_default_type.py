"""A workflow default of the wrong type: when and how flytekit refuses it."""

from flytekit import task, workflow


@task
def t(a: int) -> int:
    return a


@workflow
def wf(a: int = "five") -> int:
    return t(a=a)


print("defined")
wf()
