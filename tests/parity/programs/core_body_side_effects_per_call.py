"""A workflow body's own statements run at compile time and again on each local call."""

from flytekit import task, workflow

calls = []


@task
def inc(x: int) -> int:
    return x + 1


@workflow
def wf(x: int) -> int:
    calls.append("body")
    return inc(x=x)


print(wf(x=1), wf(x=2), wf(x=3))
print(len(calls))
