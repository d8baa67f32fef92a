"""Task metadata: retries, timeouts, caching, interruptible, deprecation, environment and node overrides."""

import datetime

from dockyard import Resources, task, workflow


@task(retries=3, timeout=datetime.timedelta(minutes=10))
def flaky(a: int) -> int:
    return a


@task(cache=True, cache_version="2.1", cache_serialize=True)
def cached(a: int) -> int:
    return a


@task(cache=True, cache_version="7", cache_ignore_input_vars=["noise"])
def cached_ignoring(a: int, noise: str = "") -> int:
    return a


@task(interruptible=True, timeout=3600)
def spot(a: int) -> int:
    return a


@task(interruptible=False)
def on_demand(a: int) -> int:
    return a


@task(deprecated="use flaky")
def old(a: int) -> int:
    return a


@task(environment={"MODE": "prod", "LEVEL": "3"})
def with_env(a: int) -> int:
    return a


@workflow
def retries_and_timeouts(a: int = 1) -> int:
    return flaky(a=flaky(a=a))


@workflow
def caching(a: int = 1) -> int:
    cached_ignoring(a=a, noise="x")
    return cached(a=a)


@workflow
def interruptible(a: int = 1) -> int:
    return on_demand(a=spot(a=a))


@workflow
def deprecated_and_env(a: int = 1) -> int:
    return with_env(a=old(a=a))


@workflow
def overrides(a: int = 1) -> int:
    b = flaky(a=a).with_overrides(retries=5)
    c = spot(a=b).with_overrides(requests=Resources(cpu="2", mem="500Mi"), limits=Resources(cpu="4"))
    return cached(a=c).with_overrides(timeout=datetime.timedelta(seconds=30), interruptible=True)
