"""A NamedTuple output: its fields are separate outputs, reached by attribute or by unpacking."""

from typing import NamedTuple

from flytekit import task, workflow


class Split(NamedTuple):
    train: list[int]
    test: list[int]


@task
def split(xs: list[int]) -> Split:
    cut = len(xs) * 3 // 4
    return Split(train=xs[:cut], test=xs[cut:])


@task
def size(xs: list[int]) -> int:
    return len(xs)


@workflow
def wf(xs: list[int]) -> tuple[int, int]:
    parts = split(xs=xs)
    _, te = split(xs=xs)
    return size(xs=parts.train), size(xs=te)


print(wf(xs=list(range(8))))
r = split(xs=[1, 2, 3, 4])
print(type(r).__name__, r.train, r.test)
