"""dict[int, str] as a task input and output."""

from flytekit import task, workflow


@task
def shift(m: dict[int, str]) -> dict[int, str]:
    return {k + 10: v.upper() for k, v in m.items()}


@workflow
def wf(m: dict[int, str]) -> dict[int, str]:
    return shift(m=shift(m=m))


print(wf(m={1: "a", 2: "b"}))
