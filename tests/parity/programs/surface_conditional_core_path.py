"""`conditional` from flytekit.core.condition picks a branch at run time."""

from flytekit import task, workflow
from flytekit.core.condition import conditional


@task
def half(x: int) -> int:
    return x // 2


@task
def triple_plus_one(x: int) -> int:
    return 3 * x + 1


@workflow
def collatz(x: int) -> int:
    return conditional("step").if_(x % 2 == 0).then(half(x=x)).else_().then(triple_plus_one(x=x))


print(collatz(x=6), collatz(x=7))
