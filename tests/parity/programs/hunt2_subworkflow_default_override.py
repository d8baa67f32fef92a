"""A subworkflow with defaults, called with some overridden and its outputs combined."""

from flytekit import task, workflow


@task
def power(x: int, p: int, offset: int) -> int:
    return (x + offset) ** p


@workflow
def sub(x: int, p: int = 2, offset: int = 0) -> int:
    return power(x=x, p=p, offset=offset)


@task
def add(a: int, b: int) -> int:
    return a + b


@workflow
def wf(x: int) -> int:
    return add(a=sub(x=x), b=sub(x=x, p=3, offset=1))


print(wf(x=2))
