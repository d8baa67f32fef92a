"""The default failure policy: the first failure stops the workflow."""

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


@workflow(failure_policy=WorkflowFailurePolicy.FAIL_IMMEDIATELY)
def wf(n: int) -> int:
    x = fails(n=n)
    other()
    return x


print(list(WorkflowFailurePolicy))
try:
    wf(n=1)
except KeyError as e:
    print("KeyError", str(e).splitlines()[0])
