"""datetime, date and timedelta inputs and outputs."""

import datetime

from flytekit import task, workflow


@task
def shift(t: datetime.datetime, by: datetime.timedelta) -> datetime.datetime:
    return t + by


@task
def day(t: datetime.datetime) -> datetime.date:
    return t.date()


@workflow
def wf(t: datetime.datetime, by: datetime.timedelta = datetime.timedelta(hours=30)) -> datetime.date:
    return day(t=shift(t=t, by=by))


print(wf(t=datetime.datetime(2024, 1, 31, 12, 0)))
print(shift(t=datetime.datetime(2024, 1, 1), by=datetime.timedelta(days=1)))
