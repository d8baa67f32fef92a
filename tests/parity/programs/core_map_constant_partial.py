"""map_task with a partial of constants, called outside a workflow too."""

import functools

from flytekit import map_task, task, workflow


@task
def power(x: int, exp: int) -> int:
    return x**exp


cube = map_task(functools.partial(power, exp=3))


@workflow
def wf(xs: list[int]) -> list[int]:
    return cube(x=xs)


print(wf(xs=[1, 2, 3]))
print(cube(x=[4]))
