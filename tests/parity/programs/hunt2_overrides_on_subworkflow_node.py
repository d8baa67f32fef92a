"""with_overrides on task nodes with timeout, retries, cache and container_image; values unchanged locally."""

from datetime import timedelta

from flytekit import Resources, task, workflow


@task
def add(a: int, b: int) -> int:
    return a + b


@workflow
def wf(a: int) -> int:
    x = add(a=a, b=1).with_overrides(timeout=timedelta(minutes=5), retries=3)
    y = add(a=x, b=2).with_overrides(limits=Resources(mem="1Gi"), cache=True, cache_version="2")
    return add(a=y, b=3).with_overrides(container_image="python:3.11-slim", node_name="last-one")


print(wf(a=1))
print(wf(a=10))
