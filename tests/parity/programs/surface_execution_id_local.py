"""A local run's execution id and task id are named `local`, as in flytekit."""

from flytekit import current_context, task, workflow


@task
def ids() -> str:
    ctx = current_context()
    return f"{ctx.execution_id.name} {ctx.execution_id.project} {ctx.execution_id.domain} {ctx.task_id.name}"


@workflow
def wf() -> str:
    return ids()


print(wf())
print(ids())
