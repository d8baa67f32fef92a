"""with_overrides(...) on a node: resources, timeout, retries, cache, image and name are accepted."""

import datetime

from flytekit import Resources, task, workflow


@task
def step(x: int) -> int:
    return x + 1


@workflow
def wf(x: int) -> int:
    a = step(x=x).with_overrides(
        requests=Resources(cpu="1", mem="1Gi"),
        limits=Resources(cpu="2", mem="2Gi"),
        timeout=datetime.timedelta(minutes=5),
        retries=2,
        name="first-step",
        container_image="python:3.11-slim",
    )
    return step(x=a).with_overrides(cache=True, cache_version="1")


print(wf(x=1))
print(wf(x=1))
