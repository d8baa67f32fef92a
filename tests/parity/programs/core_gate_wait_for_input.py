"""wait_for_input(...) reads a typed value from the terminal when run locally."""

import datetime
import io
import sys

from flytekit import task, wait_for_input, workflow


@task
def square(x: int) -> int:
    return x * x


@workflow
def wf() -> int:
    n = wait_for_input("n", timeout=datetime.timedelta(hours=1), expected_type=int)
    return square(x=n)


sys.stdin = io.StringIO("12\n")
print()
print(wf())
