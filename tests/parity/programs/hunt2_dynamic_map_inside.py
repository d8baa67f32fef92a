"""@dynamic that builds its list then map_tasks over it, and a nested dynamic."""

from typing import List

from flytekit import dynamic, map_task, task, workflow


@task
def sq(x: int) -> int:
    return x * x


@task
def total(xs: List[int]) -> int:
    return sum(xs)


@dynamic
def inner(n: int) -> int:
    return total(xs=map_task(sq)(x=list(range(n))))


@dynamic
def outer(ns: List[int]) -> List[int]:
    return [inner(n=n) for n in ns]


@workflow
def wf(ns: List[int]) -> List[int]:
    return outer(ns=ns)


print(wf(ns=[1, 3, 5]))
