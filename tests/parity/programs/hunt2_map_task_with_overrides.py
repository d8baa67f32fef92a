"""map_task nodes with .with_overrides, over a partial that binds the scale factor."""

import functools
from typing import List

from flytekit import Resources, map_task, task, workflow


@task
def scale(x: int, k: int) -> int:
    return x * k


@workflow
def wf(xs: List[int], k: int = 10) -> List[int]:
    mapped = map_task(functools.partial(scale, k=k))(x=xs)
    return mapped.with_overrides(requests=Resources(cpu="1"), retries=1)


print(wf(xs=[1, 2, 3]))
print(wf(xs=[4], k=2))
