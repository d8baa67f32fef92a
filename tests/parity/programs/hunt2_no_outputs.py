"""Tasks and workflows without outputs return None; a task returning None into a str output fails."""

from flytekit import task, workflow


@task
def log(msg: str):
    print("log:", msg)


@task
def bad() -> str:
    return None


@workflow
def wf(msg: str):
    log(msg=msg)


print(wf(msg="hi"))
print(log(msg="direct"))
bad()
