"""`-> Tuple[int]` (one element) is refused at declaration, as flytekit refuses it."""

import typing

from flytekit import dynamic, task


class Total(typing.NamedTuple):
    total: int


@task
def t(a: int) -> typing.Tuple[int]:
    return (a,)


@task
def tn(a: int) -> Total:
    return Total(total=a)


@dynamic
def d(a: int) -> Total:
    return tn(a=a)


@dynamic
def d2(a: int) -> int:
    return tn(a=a).total


print(t(a=1), d(a=2), d2(a=3))
