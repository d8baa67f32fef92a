"""Workloads of benchmarks/runtime_overhead.py: a no-op task, and a 50-item fan-out of it, each with one
container per attempt and with reusable containers (`reusable=ReusePolicy(...)`, docs/reuse.md)."""

from __future__ import annotations

from dockyard import ImageSpec, map_task, task, workflow
from dockyard.sdk.reuse import ReusePolicy

bench_image = ImageSpec(name="dockyard-bench-runtime", registry="localhost:5000")


@task(container_image=bench_image)
def noop(x: int) -> int:
    return x


@task(container_image=bench_image, reusable=ReusePolicy(replicas=4, idle_ttl=30))
def noop_warm(x: int) -> int:
    return x


@workflow
def one(x: int) -> int:
    return noop(x=x)


@workflow
def one_warm(x: int) -> int:
    return noop_warm(x=x)


@workflow
def fan_out(xs: list[int]) -> list[int]:
    return map_task(noop)(x=xs)


@workflow
def fan_out_warm(xs: list[int]) -> list[int]:
    return map_task(noop_warm)(x=xs)
