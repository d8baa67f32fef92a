"""create_node of a task with a NamedTuple output: each output is an attribute of the node."""

from typing import NamedTuple

from flytekit import task, workflow
from flytekit.core.node_creation import create_node


class MinMax(NamedTuple):
    lo: int
    hi: int


@task
def bounds(xs: list[int]) -> MinMax:
    return MinMax(lo=min(xs), hi=max(xs))


@task
def width(lo: int, hi: int) -> int:
    return hi - lo


@workflow
def wf(xs: list[int]) -> int:
    n = create_node(bounds, xs=xs)
    return width(lo=n.lo, hi=n.hi)


print(wf(xs=[4, 9, 1]))
