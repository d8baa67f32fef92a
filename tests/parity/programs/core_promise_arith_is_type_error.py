"""Arithmetic on a promise is Python's TypeError naming the Promise type."""

from flytekit import task, workflow


@task
def one() -> int:
    return 1


@workflow
def wf() -> int:
    return one() + 1


wf()
