"""current_context() inside a task: execution id name, a working directory, and a task id present."""

import os

import flytekit
from flytekit import task, workflow


@task
def info() -> str:
    ctx = flytekit.current_context()
    wd = ctx.working_directory
    return f"{ctx.execution_id.name}|{os.path.isdir(wd)}|{ctx.task_id is not None}"


@workflow
def wf() -> str:
    return info()


print(wf())
print(info())
