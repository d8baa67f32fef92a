"""map_task with concurrency, min_success_ratio and Optional outputs for failures."""

from typing import List, Optional

from flytekit import map_task, task, workflow


@task
def inv(x: int) -> float:
    if x == 0:
        raise ValueError("zero")
    return 1.0 / x


@workflow
def wf(xs: List[int]) -> List[Optional[float]]:
    return map_task(inv, concurrency=2, min_success_ratio=0.5)(x=xs)


@workflow
def strict(xs: List[int]) -> List[float]:
    return map_task(inv, concurrency=1)(x=xs)


print(wf(xs=[1, 2, 0, 4]))
print(strict(xs=[1, 2]))
try:
    strict(xs=[1, 0])
except Exception as e:
    print(type(e).__name__)
