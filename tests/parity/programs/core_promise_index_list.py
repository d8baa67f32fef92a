"""Indexing into a list output: `out[0]`, `out[-1]`."""

from flytekit import task, workflow


@task
def squares(n: int) -> list[int]:
    return [i * i for i in range(n)]


@task
def add(a: int, b: int) -> int:
    return a + b


@workflow
def wf(n: int) -> int:
    sq = squares(n=n)
    return add(a=sq[1], b=sq[-1])


print(wf(n=5))
