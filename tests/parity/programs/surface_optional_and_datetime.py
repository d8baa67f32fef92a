"""Optional inputs and datetimes travel between tasks."""

from datetime import datetime, timedelta
from typing import Optional

from flytekit import task, workflow


@task
def later(start: datetime, hours: Optional[int] = None) -> datetime:
    return start + timedelta(hours=hours or 1)


@task
def show(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M")


@workflow
def wf(start: datetime, hours: Optional[int] = None) -> str:
    return show(when=later(start=start, hours=hours))


print(wf(start=datetime(2024, 3, 1, 12, 0)))
print(wf(start=datetime(2024, 3, 1, 12, 0), hours=5))
