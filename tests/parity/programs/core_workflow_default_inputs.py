"""Workflow inputs with defaults; a constant passed to a task inside the body."""

from flytekit import task, workflow


@task
def join(a: str, b: str, sep: str) -> str:
    return sep.join([a, b])


@workflow
def wf(a: str = "x", b: str = "y") -> str:
    return join(a=a, b=b, sep="-")


print(wf(), wf(a="p"), wf(b="q", a="r"))
