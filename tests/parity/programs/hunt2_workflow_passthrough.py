"""A workflow returning its own input, a constant-fed task and the same output twice."""

from typing import List

from flytekit import task, workflow


@task
def const() -> List[str]:
    return ["a", "b"]


@task
def join(xs: List[str], sep: str) -> str:
    return sep.join(xs)


@workflow
def wf(x: int, sep: str = "-") -> (int, str, str):
    j = join(xs=const(), sep=sep)
    return x, j, j


print(wf(x=3))
print(wf(x=4, sep="+"))
