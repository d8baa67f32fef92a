"""@dynamic: Python loops over real values build the sub-graph."""

from flytekit import dynamic, task, workflow


@task
def square(x: int) -> int:
    return x * x


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@dynamic
def fan(n: int) -> int:
    squares = [square(x=i) for i in range(n)]
    return total(xs=squares)


@workflow
def wf(n: int) -> int:
    return fan(n=n)


print(wf(n=5))
