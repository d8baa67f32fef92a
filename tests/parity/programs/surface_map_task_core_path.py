"""`map_task` from flytekit.core.array_node_map_task maps a task over a list."""

from flytekit import task, workflow
from flytekit.core.array_node_map_task import map_task


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def wf(xs: list[int]) -> list[int]:
    return map_task(double)(x=xs)


print(wf(xs=[1, 2, 3]))
