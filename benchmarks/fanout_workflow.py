"""The workflow of benchmarks/fanout_scale.py: a dynamic task fanning out to N trivial task nodes."""

from dockyard import dynamic, task, workflow


@task
def double(i: int) -> int:
    return 2 * i


@dynamic
def spread(n: int) -> list[int]:
    return [double(i=i) for i in range(n)]


@workflow
def fanout(n: int = 10) -> list[int]:
    return spread(n=n)
