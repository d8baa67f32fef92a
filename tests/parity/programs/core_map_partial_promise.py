"""functools.partial in map_task binds another node's output (and a promise path)."""

import functools
from dataclasses import dataclass

from flytekit import map_task, task, workflow


@dataclass
class Params:
    offset: int
    factor: int


@task
def params(n: int) -> Params:
    return Params(offset=n, factor=2)


@task
def affine(x: int, offset: int, factor: int) -> int:
    return x * factor + offset


@workflow
def wf(xs: list[int]) -> list[int]:
    p = params(n=100)
    return map_task(functools.partial(affine, offset=p.offset, factor=p.factor))(x=xs)


print(wf(xs=[1, 2, 3]))
