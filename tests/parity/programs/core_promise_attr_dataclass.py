"""A dataclass output's field feeds the next task: `out.field` is resolved when the node has run."""

from dataclasses import dataclass

from flytekit import task, workflow


@dataclass
class Stats:
    mean: float
    count: int


@task
def summarize(xs: list[float]) -> Stats:
    return Stats(mean=sum(xs) / len(xs), count=len(xs))


@task
def report(mean: float, count: int) -> str:
    return f"{count} values, mean {mean:.2f}"


@workflow
def wf(xs: list[float]) -> str:
    s = summarize(xs=xs)
    return report(mean=s.mean, count=s.count)


print(wf(xs=[1.0, 2.0, 4.5]))
