"""Chained .with_overrides calls on a node; the result is unchanged locally."""

from flytekit import Resources, task, workflow


@task(requests=Resources(cpu="1", mem="100Mi"))
def t(a: int) -> int:
    return a * 3


@workflow
def wf(a: int) -> int:
    n = t(a=a).with_overrides(requests=Resources(cpu="2")).with_overrides(retries=2, name="triple")
    return n


print(wf(a=4))
