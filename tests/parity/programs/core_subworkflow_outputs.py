"""A sub-workflow with several outputs, used inside another workflow."""

from typing import NamedTuple

from flytekit import task, workflow


class Stats(NamedTuple):
    lo: int
    hi: int


@task
def lo(xs: list[int]) -> int:
    return min(xs)


@task
def hi(xs: list[int]) -> int:
    return max(xs)


@workflow
def stats(xs: list[int]) -> Stats:
    return Stats(lo=lo(xs=xs), hi=hi(xs=xs))


@task
def spread(a: int, b: int) -> int:
    return b - a


@workflow
def wf(xs: list[int]) -> int:
    s = stats(xs=xs)
    return spread(a=s.lo, b=s.hi)


print(wf(xs=[3, 9, 4]))
print(stats(xs=[1, 2]))
