"""A reference workflow inside a workflow type-checks; running it locally raises flytekit's error."""

from flytekit import reference_workflow, workflow


@reference_workflow(project="flytesnacks", domain="development", name="recipes.wf", version="v1")
def remote_wf(a: int) -> str:
    return ""


@workflow
def wf(a: int) -> str:
    return remote_wf(a=a)


print(type(remote_wf).__name__)
try:
    wf(a=1)
except NotImplementedError as exc:
    print("NotImplementedError:", exc)
