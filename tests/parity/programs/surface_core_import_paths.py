"""Older code imports the decorators from flytekit.core.* instead of the top level."""

from flytekit.core.task import task
from flytekit.core.workflow import workflow


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def wf(x: int) -> int:
    return double(x=x)


print(wf(x=21))
