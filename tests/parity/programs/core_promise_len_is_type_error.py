"""len() of a promise is Python's TypeError, as in flytekit."""

from flytekit import task, workflow


@task
def xs() -> list[int]:
    return [1, 2]


@workflow
def wf() -> int:
    return len(xs())


try:
    wf()
except TypeError as e:
    print("TypeError:", e)
