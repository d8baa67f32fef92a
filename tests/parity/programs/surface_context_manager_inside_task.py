"""Inside a locally running task the context says it is a local execution."""

from flytekit import FlyteContextManager, task, workflow


@task
def where() -> bool:
    ctx = FlyteContextManager.current_context()
    return ctx.execution_state.is_local_execution()


@workflow
def wf() -> bool:
    return where()


print(wf())
print(where())
