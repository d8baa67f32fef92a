"""A dynamic task builds a sub-workflow per input at run time."""

from typing import List

from flytekit import dynamic, task, workflow


@task
def inc(x: int) -> int:
    return x + 1


@workflow
def twice(x: int) -> int:
    return inc(x=inc(x=x))


@dynamic
def fan(xs: List[int]) -> List[int]:
    return [twice(x=x) for x in xs]


@workflow
def wf(xs: List[int]) -> List[int]:
    return fan(xs=xs)


print(wf(xs=[1, 10, 100]))
