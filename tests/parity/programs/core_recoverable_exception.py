"""FlyteRecoverableException is what user code raises to ask for a retry; without retries it surfaces."""

from flytekit import task, workflow
from flytekit.exceptions.user import FlyteRecoverableException


@task
def flaky(n: int) -> int:
    if n < 0:
        raise FlyteRecoverableException(f"transient failure for {n}")
    return n


@workflow
def wf(n: int) -> int:
    return flaky(n=n)


print(wf(n=1))
try:
    wf(n=-1)
except FlyteRecoverableException as e:
    print(type(e).__name__, str(e).splitlines()[0])
