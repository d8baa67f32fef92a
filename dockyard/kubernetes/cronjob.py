"""Pure mapping of a scheduled launch plan to a Kubernetes CronJob (`--schedules kubernetes`).

The CronJob runs the launch plan in the dockyard image on the cluster's clock; the launch plan objects stay
in `dockyard.sdk`, so this module takes plain data. Kubernetes only understands cron, so a `FixedRate` is
converted when cron can express it exactly, and refused with a message saying so when it cannot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from dockyard.config import Settings
from dockyard.errors import SpecError
from dockyard.kubernetes.driver_job import driver_job_spec
from dockyard.kubernetes.naming import dns_name, object_labels

_MACROS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
# One field as the CronJob controller parses it: lists of *, ?, numbers or names, ranges and steps.
_K8S_TOKEN = r"(\*|\?|(\d+|[A-Za-z]{3})(-(\d+|[A-Za-z]{3}))?)(/\d+)?"
_K8S_FIELD = re.compile(rf"{_K8S_TOKEN}(,{_K8S_TOKEN})*")


@dataclass(frozen=True)
class ScheduledLaunch:
    """A launch plan with a schedule: exactly one of `cron` and `fixed_rate` is set."""

    name: str
    image: str  # the dockyard image, pinned by digest
    command: list[str]  # runs the launch plan, e.g. ["dockyard", "launchplan", "run", name]
    cron: str | None = None
    fixed_rate: timedelta | None = None
    env: dict[str, str] = field(default_factory=dict)


def from_launch_plan(
    plan: Any, *, image: str, command: list[str], env: dict[str, str] | None = None
) -> ScheduledLaunch:
    """The plain data of a `dockyard.sdk.launch_plan.LaunchPlan` with a schedule.

    A cron offset cannot be expressed by a CronJob, so it is refused; a kickoff-time input is named to the
    runner in `DOCKYARD_KICKOFF_TIME_INPUT` (the Job starts at the scheduled time, give or take the
    controller's delay).
    """
    from dockyard.sdk.schedule import CronSchedule, FixedRate

    schedule = plan.schedule
    where = f"launch plan {plan.name}"
    if isinstance(schedule, CronSchedule):
        if schedule.offset:
            raise SpecError(
                f"{where}: CronSchedule.offset {schedule.offset} cannot be expressed by a CronJob"
            )
        cron, rate = schedule.cron, None
    elif isinstance(schedule, FixedRate):
        cron, rate = None, schedule.duration
    else:
        raise SpecError(f"{where}: has no schedule to turn into a CronJob")
    extra = dict(env or {})
    if schedule.kickoff_time_input_arg:
        extra["DOCKYARD_KICKOFF_TIME_INPUT"] = schedule.kickoff_time_input_arg
    return ScheduledLaunch(
        name=plan.name, image=image, command=command, cron=cron, fixed_rate=rate, env=extra
    )


def fixed_rate_to_cron(rate: timedelta) -> str:
    """A cron expression firing exactly every `rate`, when one exists (cron restarts at each hour/day)."""
    seconds = rate.total_seconds()
    minutes = int(seconds // 60)
    if seconds <= 0 or seconds % 60:
        raise SpecError(
            f"FixedRate({rate}): cron cannot express it: the rate must be a whole number of minutes"
        )
    if minutes < 60 and 60 % minutes == 0:
        return "* * * * *" if minutes == 1 else f"*/{minutes} * * * *"
    hours, leftover = divmod(minutes, 60)
    if not leftover and hours < 24 and 24 % hours == 0:
        return "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
    if minutes == 24 * 60:
        return "0 0 * * *"
    if minutes == 7 * 24 * 60:
        return "0 0 * * 0"
    raise SpecError(
        f"FixedRate({rate}): cron cannot express it: use a rate that divides an hour or a day "
        "(or 1 or 7 days), or a CronSchedule"
    )


def cron_schedule(launch: ScheduledLaunch) -> str:
    """The CronJob schedule: the cron string checked (5 fields or a macro), or the converted fixed rate."""
    from croniter import croniter

    if (launch.cron is None) == (launch.fixed_rate is None):
        raise SpecError(
            f"launch plan {launch.name}: schedule needs exactly one of a cron expression and a FixedRate"
        )
    if launch.fixed_rate is not None:
        return fixed_rate_to_cron(launch.fixed_rate)
    assert launch.cron is not None
    cron = launch.cron.strip()
    if cron in _MACROS:
        return cron
    fields = cron.split()
    if len(fields) != 5:
        raise SpecError(
            f"launch plan {launch.name}: schedule {cron!r} is not a 5-field cron expression "
            "(a CronJob has no seconds or years field)"
        )
    odd = next((f for f in fields if not _K8S_FIELD.fullmatch(f)), None)
    if odd is not None:
        raise SpecError(
            f"launch plan {launch.name}: schedule {cron!r}: a CronJob cannot express {odd!r} "
            "(croniter's L, W, # and H are not Kubernetes cron)"
        )
    if not croniter.is_valid(cron):
        raise SpecError(f"launch plan {launch.name}: schedule {cron!r} is not a 5-field cron expression")
    return cron


def cron_job(launch: ScheduledLaunch, settings: Settings) -> dict[str, Any]:
    """The CronJob: one Job per tick, no retries (the launch plan's own retries apply), overlaps allowed."""
    kube = settings.kubernetes
    labels = object_labels(kube.labels, component="schedule", launch_plan=launch.name)
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {
            "name": dns_name("dockyard-lp", launch.name, max_len=52),
            "namespace": kube.namespace,
            "labels": labels,
        },
        "spec": {
            "schedule": cron_schedule(launch),
            "concurrencyPolicy": "Allow",
            "startingDeadlineSeconds": 300,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {
                "metadata": {"labels": labels},
                "spec": driver_job_spec(
                    kube,
                    labels,
                    name="launch-plan",
                    image=launch.image,
                    command=list(launch.command),
                    env=launch.env,
                ),
            },
        },
    }
