"""map_task with min_success_ratio: failed items come back as None."""

import typing

from flytekit import map_task, task, workflow


@task
def inverse(x: int) -> float:
    return 1 / x


@workflow
def wf(xs: list[int]) -> list[typing.Optional[float]]:
    return map_task(inverse, min_success_ratio=0.5)(x=xs)


print(wf(xs=[1, 0, 4]))
