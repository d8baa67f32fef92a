"""Inside a task, `current_context()` gives a working directory and an execution date."""

import datetime
import os

from flytekit import current_context, task


@task
def where() -> str:
    ctx = current_context()
    return f"{os.path.isdir(ctx.working_directory)} {isinstance(ctx.execution_date, datetime.datetime)}"


print(where())
