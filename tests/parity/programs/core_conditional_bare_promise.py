"""if_(promise) without a comparison is refused: flytekit raises AssertionError."""

from flytekit import conditional, task, workflow


@task
def flag() -> bool:
    return True


@task
def one() -> int:
    return 1


@workflow
def wf() -> int:
    return conditional("c").if_(flag()).then(one()).else_().then(one())


wf()
