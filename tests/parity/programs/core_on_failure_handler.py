"""@workflow(on_failure=...): the handler gets the workflow inputs and the error, then the error is raised."""

import typing

from flytekit import task, workflow
from flytekit.types.error import FlyteError


@task
def risky(n: int) -> int:
    if n > 2:
        raise ValueError(f"{n} is too big")
    return n


@task
def clean_up(n: int, err: typing.Optional[FlyteError] = None) -> None:
    print("cleaning up after", n)
    print("failed node:", err.failed_node_id)
    print("message:", err.message.splitlines())


@workflow(on_failure=clean_up)
def wf(n: int) -> int:
    return risky(n=n)


print(wf(n=1))
wf(n=5)
