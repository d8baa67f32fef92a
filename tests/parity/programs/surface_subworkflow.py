"""A workflow calls another workflow like a task."""

from flytekit import task, workflow


@task
def add(a: int, b: int) -> int:
    return a + b


@workflow
def inner(a: int) -> int:
    return add(a=a, b=10)


@workflow
def outer(a: int) -> int:
    return add(a=inner(a=a), b=inner(a=a))


print(outer(a=1))
