"""An index past the end of a list output fails when resolved; the error is an AssertionError."""

from flytekit import task, workflow


@task
def two() -> list[int]:
    return [1, 2]


@task
def show(v: int) -> int:
    return v


@workflow
def wf() -> int:
    return show(v=two()[5])


wf()
