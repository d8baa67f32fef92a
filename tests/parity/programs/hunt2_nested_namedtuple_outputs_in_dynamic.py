"""A @dynamic whose NamedTuple outputs come from tasks it calls."""

import typing

from flytekit import dynamic, task, workflow

Out = typing.NamedTuple("Out", [("best", int), ("all", typing.List[int])])  # noqa: UP014


@task
def sq(x: int) -> int:
    return x * x


@task
def best(xs: typing.List[int]) -> int:
    return max(xs)


@dynamic
def search(n: int) -> Out:
    results = [sq(x=i) for i in range(n)]
    return Out(best=best(xs=results), all=results)


@workflow
def wf(n: int = 4) -> Out:
    return search(n=n)


r = wf()
print(r.best, r.all)
