"""on_failure may name a workflow; a failing sub-workflow runs its own handler before the error escapes."""

import typing

from flytekit import task, workflow
from flytekit.types.error.error import FlyteError


@task
def create_cluster(name: str):
    print(f"creating {name}")


@task
def train(a: int):
    print(f"training with {a}")
    raise ValueError("training failed")


@task
def clean_up(name: str, err: typing.Optional[FlyteError] = None):
    print(f"cleaning up {name}; error given: {err is not None}")


@workflow
def clean_up_wf(name: str):
    clean_up(name=name)


@workflow(on_failure=clean_up_wf)
def with_workflow_handler(name: str = "cluster-a"):
    c = create_cluster(name=name)
    t = train(a=1)
    c >> t


@workflow(on_failure=clean_up)
def inner(name: str):
    c = create_cluster(name=name)
    t = train(a=2)
    c >> t


@workflow
def outer(name: str = "cluster-b"):
    inner(name=name)


for wf in (with_workflow_handler, outer):
    try:
        wf()
    except Exception as e:
        print(type(e).__name__, "training failed" in str(e))
