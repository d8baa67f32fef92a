"""A NamedTuple names a task's outputs; workflows use them by name."""

from typing import NamedTuple

from flytekit import task, workflow


class Stats(NamedTuple):
    mean: float
    count: int


@task
def describe(xs: list[float]) -> Stats:
    return Stats(mean=sum(xs) / len(xs), count=len(xs))


@task
def report(mean: float, count: int) -> str:
    return f"{count} values, mean {mean:.2f}"


@workflow
def wf(xs: list[float]) -> str:
    stats = describe(xs=xs)
    return report(mean=stats.mean, count=stats.count)


print(wf(xs=[1.0, 2.0, 4.0]))
print(describe(xs=[3.0]))
