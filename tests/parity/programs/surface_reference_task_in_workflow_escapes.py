"""A reference task run unmocked inside a workflow: the error escapes with flytekit's type and message."""

from flytekit import reference_task, workflow


@reference_task(project="p", domain="d", name="shared.score", version="v1")
def score(x: int) -> float: ...


@workflow
def wf(x: int) -> float:
    return score(x=x)


wf(x=1)
