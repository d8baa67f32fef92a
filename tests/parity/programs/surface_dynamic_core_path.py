"""`@dynamic` from flytekit.core.dynamic_workflow_task fans out at run time."""

from flytekit import task, workflow
from flytekit.core.dynamic_workflow_task import dynamic


@task
def square(x: int) -> int:
    return x * x


@dynamic
def squares(n: int) -> list[int]:
    return [square(x=i) for i in range(n)]


@workflow
def wf(n: int) -> list[int]:
    return squares(n=n)


print(wf(n=5))
