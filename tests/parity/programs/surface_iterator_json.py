"""Iterator outputs: `Iterator[JSON]` rows reach the next task as an iterator; `Iterator[int]` a list."""

import typing

from flytekit import task, workflow
from flytekit.types.iterator import JSON


@task
def make(n: int) -> typing.Iterator[JSON]:
    for i in range(n):
        yield {"i": i, "sq": i * i}


@task
def total(rows: typing.Iterator[JSON]) -> int:
    print(type(rows).__name__)
    return sum(r["sq"] for r in rows)


@task
def ints(n: int) -> typing.Iterator[int]:
    return iter(range(n))


@task
def count(xs: list[int]) -> int:
    return sum(xs)


@workflow
def wf(n: int) -> tuple[int, int]:
    return total(rows=make(n=n)), count(xs=ints(n=n))


print(wf(n=4))
print(JSON)
