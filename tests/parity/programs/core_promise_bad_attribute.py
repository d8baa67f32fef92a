"""A path naming a field the value does not have fails when the node has run (flytekit's error type)."""

from dataclasses import dataclass

from flytekit import task, workflow


@dataclass
class Out:
    x: int


@task
def make() -> Out:
    print("make ran")
    return Out(x=1)


@task
def show(v: int) -> int:
    return v


@workflow
def wf() -> int:
    return show(v=make().y)


try:
    wf()
except AssertionError as e:
    print("AssertionError:", str(e).splitlines()[0])
