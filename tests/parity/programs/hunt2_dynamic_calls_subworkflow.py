"""@dynamic calling a subworkflow and a task in a loop, with a conditional inside the subworkflow."""

from typing import List

from flytekit import conditional, dynamic, task, workflow


@task
def inc(x: int) -> int:
    return x + 1


@task
def dec(x: int) -> int:
    return x - 1


@workflow
def step(x: int) -> int:
    return conditional("sign").if_(x > 2).then(dec(x=x)).else_().then(inc(x=x))


@dynamic
def fan(xs: List[int]) -> List[int]:
    return [step(x=x) for x in xs]


@workflow
def wf(xs: List[int]) -> List[int]:
    return fan(xs=xs)


print(wf(xs=[0, 1, 2, 3, 4]))
