"""WorkflowFailurePolicy's members, as workflows name them."""

from flytekit import WorkflowFailurePolicy, task, workflow


@task
def ok() -> int:
    return 1


@workflow(failure_policy=WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE)
def wf() -> int:
    return ok()


print([p.name for p in WorkflowFailurePolicy])
print(wf())
