"""A boolean task output as a condition, with .is_true()."""

from flytekit import conditional, task, workflow


@task
def is_even(x: int) -> bool:
    return x % 2 == 0


@task
def half(x: int) -> int:
    return x // 2


@task
def triple(x: int) -> int:
    return 3 * x + 1


@workflow
def wf(x: int) -> int:
    even = is_even(x=x)
    return conditional("collatz").if_(even.is_true()).then(half(x=x)).else_().then(triple(x=x))


print([wf(x=x) for x in (6, 7)])
