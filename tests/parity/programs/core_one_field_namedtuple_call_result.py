"""A one-field NamedTuple output comes back as the NamedTuple from a local call of a task or workflow."""

import typing

from flytekit import task, workflow


class Total(typing.NamedTuple):
    total: int


@task
def t(a: int) -> Total:
    return Total(total=a)


@task
def t2(a: int) -> Total:
    return a


@workflow
def w(a: int) -> Total:
    return t(a=a)


@workflow
def w2(a: int) -> Total:
    return Total(total=t(a=a).total)


@workflow
def w3(a: int) -> int:
    return t(a=a).total


print(t(a=1), t2(a=2), w(a=3), w2(a=4), w3(a=5))
