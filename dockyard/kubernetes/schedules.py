"""`dockyard register --schedules kubernetes`: each scheduled launch plan of a registered version becomes a
CronJob whose Job runs `dockyard schedules kickoff` in the dockyard image.

The Job's driver pod gets the client's non-secret settings as `DOCKYARD_*` variables (the store, the
kubernetes section, SMTP without its password) and runs tasks with the kubernetes backend; credentials come
from `kubernetes.env_secret`. The command pins the registered version, so re-registering replaces the
CronJob instead of changing what an old one runs.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from dockyard.config import Settings
from dockyard.errors import ConfigError
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.orchestrator import DEFAULT_IMAGE, store_env

# Settings that name something on the client (its kubeconfig context) or a secret never go into a CronJob.
_LEFT_OUT = {("executor", "backend"), ("kubernetes", "context"), ("smtp", "password")}


def kickoff_command(name: str, *, project: str, domain: str, version: str) -> list[str]:
    """What the CronJob runs: one launch of a registered plan version (see `kickoff_time`)."""
    return [
        "dockyard",
        "schedules",
        "kickoff",
        name,
        "--project",
        project,
        "--domain",
        domain,
        "--version",
        version,
    ]


def kickoff_time(now: datetime) -> datetime:
    """The scheduled time a CronJob's Job stands for: its start, truncated to the minute (UTC).

    Cron ticks fall on whole minutes and the CronJob controller starts the Job within seconds of the tick,
    so this is the tick unless the Job started a minute or more late (it may start up to
    `startingDeadlineSeconds` late); `dockyard schedules kickoff --at` passes an exact time instead.
    """
    return now.astimezone(timezone.utc).replace(second=0, microsecond=0)


def driver_env(settings: Settings, store: Store) -> dict[str, str]:
    """The client's non-secret settings for the driver in the CronJob's pod, which runs tasks as pods."""
    env = {**store_env(settings, store), "DOCKYARD_EXECUTOR_BACKEND": "kubernetes"}
    for section in ("executor", "kubernetes", "smtp"):
        values = getattr(settings, section).model_dump(mode="json", exclude_defaults=True)
        for key, value in values.items():
            if (section, key) not in _LEFT_OUT:
                text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
                env[f"DOCKYARD_{section}_{key}".upper()] = text
    return env


def schedule_image(doc: dict[str, Any], settings: Settings, image: str | None) -> str:
    """The CronJob image: the one asked for, `kubernetes.schedule_image`, or the registered default image."""
    chosen = image or settings.kubernetes.schedule_image or doc["images"].get(DEFAULT_IMAGE)
    if not chosen:
        raise ConfigError(
            "kubernetes.schedule_image: unset, and no task of this version runs dockyard's default image "
            "(set it, or pass --schedule-image)"
        )
    return str(chosen)


def cron_jobs(
    doc: dict[str, Any],
    plans: list[Any],
    settings: Settings,
    store: Store,
    *,
    project: str,
    domain: str,
    image: str,
) -> list[dict[str, Any]]:
    """One CronJob per plan with a schedule; a schedule a CronJob cannot express is a one-line SpecError."""
    from dockyard.kubernetes.cronjob import cron_job, from_launch_plan

    env = driver_env(settings, store)
    manifests = []
    for plan in sorted((p for p in plans if p.schedule is not None), key=lambda p: p.name):
        command = kickoff_command(plan.name, project=project, domain=domain, version=doc["version"])
        launch = from_launch_plan(plan, image=image, command=command, env=env)
        manifests.append(cron_job(launch, settings))
    return manifests
