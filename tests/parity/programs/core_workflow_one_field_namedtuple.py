"""A workflow with a one-field NamedTuple output may return the NamedTuple built from a promise."""

import typing

from flytekit import task, workflow


class Total(typing.NamedTuple):
    total: int


@task
def add(a: int, b: int) -> int:
    return a + b


@workflow
def summed(a: int, b: int) -> Total:
    return Total(total=add(a=a, b=b))


@workflow
def bare(a: int, b: int) -> Total:
    return add(a=a, b=b)


print(summed(a=1, b=2), bare(a=3, b=4))


@workflow
def two_for_one(a: int) -> int:
    return add(a=a, b=1), add(a=a, b=2)


try:
    two_for_one(a=1)
except AssertionError as e:
    print("AssertionError:", str(e).splitlines()[0])


@workflow
def tuple_without_names(a: int) -> int:
    return (add(a=a, b=1),)


tuple_without_names(a=1)
