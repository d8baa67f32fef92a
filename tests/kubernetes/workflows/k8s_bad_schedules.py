"""Schedules croniter accepts but a CronJob cannot run; the test picks one with BAD_SCHEDULE."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from dockyard import CronSchedule, FixedRate, LaunchPlan, task, workflow


@task(container_image="registry.example.com/ml/report@sha256:" + "ef" * 32)
def stamp(when: datetime) -> str:
    return when.isoformat()


@workflow
def stamped(when: datetime) -> str:
    return stamp(when=when)


_SCHEDULES = {
    "every-90-minutes": FixedRate(duration=timedelta(minutes=90), kickoff_time_input_arg="when"),
    "with-seconds": CronSchedule(schedule="0 0 3 * * *", kickoff_time_input_arg="when"),
    "last-day": CronSchedule(schedule="0 0 L * *", kickoff_time_input_arg="when"),
}
bad = LaunchPlan.get_or_create(stamped, name="k8s_bad.plan", schedule=_SCHEDULES[os.environ["BAD_SCHEDULE"]])
