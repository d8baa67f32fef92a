"""A workflow body is compiled on the first call, so it may use a task defined below it."""

from flytekit import task, workflow


@workflow
def wf(x: int) -> int:
    print("compiling")
    return later(x=x)


print("defined")


@task
def later(x: int) -> int:
    return x * 3


print(wf(x=2))
