"""Scheduled launch plans for `register --schedules kubernetes`: images pinned by digest (no build)."""

from __future__ import annotations

from datetime import datetime, timedelta

from dockyard import CronSchedule, FixedRate, LaunchPlan, task, workflow

IMAGE = "registry.example.com/ml/report@sha256:" + "ef" * 32


@task(container_image=IMAGE)
def stamp(when: datetime, label: str) -> str:
    return f"{label}@{when.isoformat()}"


@workflow
def stamped(when: datetime, label: str = "run") -> str:
    return stamp(when=when, label=label)


nightly = LaunchPlan.get_or_create(
    stamped,
    name="k8s_scheduled.nightly",
    default_inputs={"label": "nightly"},
    schedule=CronSchedule(schedule="0 2 * * 1-5", kickoff_time_input_arg="when"),
)
every_quarter_hour = LaunchPlan.get_or_create(
    stamped,
    name="k8s_scheduled.quarterly",
    fixed_inputs={"when": datetime(2026, 1, 1)},
    schedule=FixedRate(duration=timedelta(minutes=15)),
)
unscheduled = LaunchPlan.get_or_create(stamped, name="k8s_scheduled.adhoc")
