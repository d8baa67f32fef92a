"""functools.partial in map_task binds a workflow input, broadcast to every item."""

import functools

from flytekit import map_task, task, workflow


@task
def scale(x: int, factor: int) -> int:
    return x * factor


@workflow
def wf(xs: list[int], factor: int) -> list[int]:
    return map_task(functools.partial(scale, factor=factor))(x=xs)


print(wf(xs=[1, 2, 3], factor=10))
