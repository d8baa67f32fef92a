"""FAIL_AFTER_EXECUTABLE_NODES_COMPLETE: nodes that do not depend on the failed one still run (remotely,
and locally in dockyard; flytekit stops at the first failure locally)."""

from flytekit import WorkflowFailurePolicy, task, workflow


@task
def fails(n: int) -> int:
    if n:
        raise KeyError(n)
    return n


@task
def other() -> str:
    print("other ran")
    return "other"


@workflow(failure_policy=WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE)
def wf(n: int) -> int:
    x = fails(n=n)
    other()
    return x


wf(n=1)
