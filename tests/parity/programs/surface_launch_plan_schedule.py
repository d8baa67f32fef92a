"""A scheduled launch plan: cron and fixed-rate schedules from flytekit.core.schedule."""

from datetime import timedelta

from flytekit import LaunchPlan, task, workflow
from flytekit.core.schedule import CronSchedule, FixedRate


@task
def tick(kickoff: int) -> int:
    return kickoff + 1


@workflow
def wf(kickoff: int = 0) -> int:
    return tick(kickoff=kickoff)


nightly = LaunchPlan.get_or_create(wf, name="surface_nightly", schedule=CronSchedule(schedule="0 2 * * *"))
hourly = LaunchPlan.get_or_create(wf, name="surface_hourly", schedule=FixedRate(duration=timedelta(hours=1)))
print(nightly.name, hourly.name)
print(nightly(kickoff=1), hourly())
