"""Iterating over a promise raises flytekit's ValueError (use map_task or @dynamic)."""

from flytekit import task, workflow


@task
def xs() -> list[int]:
    return [1, 2]


@task
def one(x: int) -> int:
    return x


@workflow
def wf() -> list[int]:
    return [one(x=x) for x in xs()]


try:
    wf()
except ValueError as e:
    print("ValueError:", str(e).splitlines()[0])
