"""Workflows of a two-module project: `from mypkg.utils import double` needs the package on the path."""

import os

from dockyard import CronSchedule, LaunchPlan, map_task, task, workflow
from mypkg.utils import double


@task
def twice(x: int) -> int:
    """Double a number with the sibling module."""
    return double(x)


@task
def greeting(name: str) -> str:
    return f"{os.environ.get('GREETING', 'hello')} {name}"


@task
def boom(x: int) -> int:
    raise ValueError(f"no good: {x}")
    return x  # never reached: flytekit refuses a body with outputs and no `return`


@workflow
def pipeline(x: int = 3) -> int:
    """Twice twice."""
    return twice(x=twice(x=x))


@workflow
def broken(x: int = 1) -> int:
    return boom(x=twice(x=x))


@workflow
def fan_out(xs: list[int]) -> list[int]:
    return map_task(twice)(x=xs)


@task(cache=True, cache_version="1")
def stamped(x: int) -> str:
    """Cached: a second run reads the first one's output unless --overwrite-cache."""
    import uuid

    return f"{x}-{uuid.uuid4().hex}"


@task
def sleepy(seconds: int) -> int:
    import time

    time.sleep(seconds)
    return seconds


nightly = LaunchPlan.get_or_create(
    pipeline, name="mypkg.flows.nightly", default_inputs={"x": 7}, schedule=CronSchedule(schedule="0 2 * * *")
)
