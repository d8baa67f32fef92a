"""A task called positionally inside a workflow: what flytekit does when the workflow is called."""

from flytekit import task, workflow


@task
def t(a: int) -> int:
    return a + 1


@workflow
def wf(a: int) -> int:
    return t(a)


print(wf(a=1))
