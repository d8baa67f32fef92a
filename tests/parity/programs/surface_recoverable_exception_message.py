"""A task raising FlyteRecoverableException (no retries): the error escapes the workflow call."""

from flytekit import task, workflow
from flytekit.exceptions.user import FlyteRecoverableException


@task
def flaky() -> int:
    raise FlyteRecoverableException("try again later")
    return 0


@workflow
def wf() -> int:
    return flaky()


try:
    wf()
except FlyteRecoverableException as exc:
    print("caught", type(exc).__name__)
