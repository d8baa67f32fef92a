"""A NamedTuple-output task called directly returns the named tuple; in a workflow its fields bind by name."""

import typing

from flytekit import task, workflow

Split = typing.NamedTuple("Split", [("train", typing.List[int]), ("test", typing.List[int])])  # noqa: UP014 - the spelling flytekit examples use


@task
def split(xs: typing.List[int], ratio: float = 0.5) -> Split:
    k = int(len(xs) * ratio)
    return Split(train=xs[:k], test=xs[k:])


@task
def size(xs: typing.List[int]) -> int:
    return len(xs)


@workflow
def wf(xs: typing.List[int]) -> (int, int):
    s = split(xs=xs, ratio=0.75)
    return size(xs=s.train), size(xs=s.test)


r = split(xs=[1, 2, 3, 4])
print(r, r.train, type(r).__name__)
print(wf(xs=[1, 2, 3, 4]))
a, b = split(xs=[5, 6])
print(a, b)
