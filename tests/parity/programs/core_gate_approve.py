"""approve() asks on the terminal when run locally; here stdin answers yes."""

import datetime
import io
import sys

from flytekit import approve, task, workflow


@task
def score() -> int:
    return 42


@task
def deploy(s: int) -> str:
    return f"deployed {s}"


@workflow
def wf() -> str:
    s = approve(score(), "check-score", timeout=datetime.timedelta(hours=1))
    return deploy(s=s)


sys.stdin = io.StringIO("y\n")
print(wf())
