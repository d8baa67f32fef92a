"""A task returning the wrong type: flytekit's error type and first line."""

from typing import List

from flytekit import task, workflow


@task
def t(n: int) -> List[int]:
    return "not a list"


@workflow
def wf(n: int) -> List[int]:
    return t(n=n)


wf(n=1)
