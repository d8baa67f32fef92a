"""map_task over a list of dataclasses."""

from dataclasses import dataclass

from flytekit import map_task, task, workflow


@dataclass
class Job:
    name: str
    size: int


@task
def run(job: Job) -> str:
    return f"{job.name}:{job.size * 2}"


@workflow
def wf(jobs: list[Job]) -> list[str]:
    return map_task(run)(job=jobs)


print(wf(jobs=[Job("a", 1), Job("b", 2)]))
