"""A workflow calling a subworkflow with kwargs and defaults, and using its named outputs."""

import typing

from flytekit import task, workflow


@task
def stats(xs: typing.List[int]) -> typing.NamedTuple("Stats", [("total", int), ("count", int)]):
    return sum(xs), len(xs)


@workflow
def sub(xs: typing.List[int], scale: int = 2) -> typing.NamedTuple("Out", [("total", int), ("count", int)]):
    s = stats(xs=xs)
    return s.total, s.count


@task
def mul(a: int, b: int) -> int:
    return a * b


@workflow
def outer(xs: typing.List[int] = [1, 2, 3]) -> int:  # noqa: B006
    r = sub(xs=xs)
    return mul(a=r.total, b=r.count)


print(outer())
print(sub(xs=[5]))
print(sub(xs=[5]).total)
