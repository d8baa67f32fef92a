"""Workloads of benchmarks/runtime_overhead.py: a no-op task, and a 50-item fan-out of it."""

from __future__ import annotations

from dockyard import ImageSpec, map_task, task, workflow

bench_image = ImageSpec(name="dockyard-bench-runtime", registry="localhost:5000")


@task(container_image=bench_image)
def noop(x: int) -> int:
    return x


@workflow
def one(x: int) -> int:
    return noop(x=x)


@workflow
def fan_out(xs: list[int]) -> list[int]:
    return map_task(noop)(x=xs)
