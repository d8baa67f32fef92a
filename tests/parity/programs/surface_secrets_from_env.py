"""Secrets requested by a task are read from `_FSEC_<GROUP>_<KEY>` locally."""

import os

from flytekit import Secret, current_context, task

os.environ["_FSEC_DB_PASSWORD"] = "hunter2"


@task(secret_requests=[Secret(group="db", key="password")])
def connect() -> int:
    return len(current_context().secrets.get("db", "password"))


print(connect())
