"""Answering no to an approval gate raises flytekit's FlyteDisapprovalException."""

import datetime
import io
import sys

from flytekit import approve, task, workflow


@task
def score() -> int:
    return 7


@workflow
def wf() -> int:
    return approve(score(), "check-score", timeout=datetime.timedelta(hours=1))


sys.stdin = io.StringIO("n\n")
wf()
