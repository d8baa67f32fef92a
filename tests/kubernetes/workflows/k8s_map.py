"""Map tasks for the Indexed Job tests: an item fails when its input is negative."""

from dockyard import map_task, task, workflow


@task(retries=1)
def tenfold(x: int) -> int:
    if x < 0:
        raise ValueError(f"negative input {x}")
    return x * 10


@workflow
def tolerant(xs: list[int]) -> list[int | None]:
    return map_task(tenfold, concurrency=2, min_success_ratio=0.5)(x=xs)


@workflow
def strict(xs: list[int]) -> list[int]:
    return map_task(tenfold, concurrency=3)(x=xs)
