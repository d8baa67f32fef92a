"""retries, timeout and interruptible on tasks that succeed: results unchanged."""

from datetime import timedelta

from flytekit import task, workflow


@task(retries=3, timeout=timedelta(minutes=1), interruptible=True)
def ok(x: int) -> int:
    return x * 2


@task(timeout=30)
def ok2(x: int) -> int:
    return x + 1


@workflow
def wf(x: int) -> int:
    return ok2(x=ok(x=x))


print(wf(x=5))
