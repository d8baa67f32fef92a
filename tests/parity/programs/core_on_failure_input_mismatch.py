"""An on_failure handler whose inputs are not the workflow's is refused when the workflow is compiled."""

import typing

from flytekit import task, workflow
from flytekit.types.error import FlyteError


@task
def boom(a: int) -> int:
    if a:
        raise ValueError("x")
    return a


@task
def bad_handler(b: str, err: typing.Optional[FlyteError] = None) -> None:
    print("handler", b)


print("defining")


@workflow(on_failure=bad_handler)
def wf(a: int) -> int:
    return boom(a=a)


print("defined")
wf(a=1)
