"""map_task over a list of dataclasses, then a reduce; an empty list sums to int 0, refused for a float."""

from dataclasses import dataclass
from typing import List

from flytekit import map_task, task, workflow


@dataclass
class Job:
    id: int
    weight: float = 1.0


@task
def make_jobs(n: int) -> List[Job]:
    return [Job(id=i, weight=i / 2) for i in range(n)]


@task
def run(job: Job) -> float:
    return job.id * job.weight


@task
def total(xs: List[float]) -> float:
    return sum(xs)


@workflow
def wf(n: int = 4) -> float:
    return total(xs=map_task(run)(job=make_jobs(n=n)))


print(wf())
print(wf(n=0))
