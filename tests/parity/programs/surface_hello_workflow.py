"""The smallest flytekit program: a task, a workflow, a local call."""

from flytekit import task, workflow


@task
def greet(name: str) -> str:
    return f"hello {name}"


@workflow
def wf(name: str = "world") -> str:
    return greet(name=name)


print(wf())
print(wf(name="dockyard"))
