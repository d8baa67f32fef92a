"""Execution options (retries, timeout, interruptible, cache_serialize) are accepted on tasks."""

from datetime import timedelta

from flytekit import task, workflow


@task(retries=2, timeout=timedelta(seconds=30), interruptible=True)
def robust(x: int) -> int:
    return x * 3


@task(cache=True, cache_serialize=True, cache_version="2")
def serialized(x: int) -> int:
    return x - 1


@workflow
def wf(x: int) -> int:
    return serialized(x=robust(x=x))


print(wf(x=5))
