"""Scheduled launch plans as CronJobs: cron checked, FixedRate converted exactly or refused."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from typing import Any

import pytest
from k8s_helpers import assert_valid, check_golden, make_settings

from dockyard.config import Settings
from dockyard.errors import SpecError
from dockyard.kubernetes.cronjob import (
    ScheduledLaunch,
    cron_job,
    cron_schedule,
    fixed_rate_to_cron,
    from_launch_plan,
)
from dockyard.kubernetes.naming import to_yaml

IMAGE = "registry.example.com/dockyard@sha256:" + "cd" * 32


def _launch(**schedule: object) -> ScheduledLaunch:
    return ScheduledLaunch(
        name="nightly_train",
        image=IMAGE,
        command=["dockyard", "launchplan", "run", "nightly_train"],
        env={"DOCKYARD_STORE_URL": "s3://artifacts"},
        **schedule,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("rate", "cron"),
    [
        (timedelta(minutes=1), "* * * * *"),
        (timedelta(minutes=5), "*/5 * * * *"),
        (timedelta(minutes=30), "*/30 * * * *"),
        (timedelta(hours=1), "0 * * * *"),
        (timedelta(minutes=120), "0 */2 * * *"),
        (timedelta(hours=6), "0 */6 * * *"),
        (timedelta(days=1), "0 0 * * *"),
        (timedelta(days=7), "0 0 * * 0"),
    ],
)
def test_fixed_rates_cron_can_express(rate: timedelta, cron: str) -> None:
    assert fixed_rate_to_cron(rate) == cron


@pytest.mark.parametrize(
    "rate",
    [
        timedelta(minutes=7),
        timedelta(minutes=90),
        timedelta(hours=5),
        timedelta(days=2),
        timedelta(seconds=30),
    ],
)
def test_fixed_rates_cron_cannot_express(rate: timedelta) -> None:
    with pytest.raises(SpecError, match=r"FixedRate\(.*\): cron cannot express it"):
        fixed_rate_to_cron(rate)


def test_cron_expressions_are_checked() -> None:
    assert cron_schedule(_launch(cron="0 3 * * 1-5")) == "0 3 * * 1-5"
    assert cron_schedule(_launch(cron="@hourly")) == "@hourly"
    with pytest.raises(SpecError, match="not a 5-field cron"):
        cron_schedule(_launch(cron="0 0 3 * * ?"))  # AWS-style with seconds
    with pytest.raises(SpecError, match="not a 5-field cron"):
        cron_schedule(_launch(cron="61 * * * *"))
    with pytest.raises(SpecError, match="exactly one"):
        cron_schedule(_launch())
    with pytest.raises(SpecError, match="exactly one"):
        cron_schedule(_launch(cron="* * * * *", fixed_rate=timedelta(minutes=5)))


def test_cronjob_manifest(settings: Settings) -> None:
    manifest = cron_job(_launch(fixed_rate=timedelta(minutes=15)), settings)
    assert_valid(manifest)
    check_golden("cronjob-fixed-rate.yaml", to_yaml([manifest]))
    assert manifest["spec"]["schedule"] == "*/15 * * * *"
    pod = manifest["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "dockyard"
    assert pod["containers"][0]["image"] == IMAGE
    assert pod["containers"][0]["command"] == ["dockyard", "launchplan", "run", "nightly_train"]
    assert manifest["metadata"]["name"] == "dockyard-lp-nightly-train-" + manifest["metadata"]["name"][-8:]
    assert len(manifest["metadata"]["name"]) <= 52


def test_cronjob_with_env_secret_is_valid() -> None:
    manifest = cron_job(_launch(cron="@daily"), make_settings(env_secret="store-creds"))
    assert_valid(manifest)
    container = manifest["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert container["envFrom"] == [{"secretRef": {"name": "store-creds"}}]


def _plans() -> tuple[Any, Any, Any]:
    from dockyard import CronSchedule, FixedRate, LaunchPlan, task, workflow

    @task
    def stamp(when: dt.datetime, n: int) -> str:
        return f"{when}:{n}"

    @workflow
    def nightly(when: dt.datetime, n: int = 1) -> str:
        return stamp(when=when, n=n)

    cron = LaunchPlan.get_or_create(
        nightly,
        name="k8s_cron_plan",
        schedule=CronSchedule(schedule="daily", kickoff_time_input_arg="when"),
    )
    rate = LaunchPlan.get_or_create(
        nightly,
        name="k8s_rate_plan",
        schedule=FixedRate(dt.timedelta(hours=2)),
        fixed_inputs={"when": dt.datetime(2026, 1, 1)},
    )
    offset = LaunchPlan.get_or_create(
        nightly,
        name="k8s_offset_plan",
        schedule=CronSchedule(schedule="0 2 * * *", offset="PT30M", kickoff_time_input_arg="when"),
    )
    return cron, rate, offset


def test_from_real_launch_plans(settings: Settings) -> None:
    cron, rate, offset = _plans()
    launch = from_launch_plan(cron, image=IMAGE, command=["dockyard", "launchplan", "run", cron.name])
    assert (launch.cron, launch.fixed_rate) == ("0 0 * * *", None)
    assert launch.env == {"DOCKYARD_KICKOFF_TIME_INPUT": "when"}
    manifest = cron_job(launch, settings)
    assert_valid(manifest)
    assert manifest["spec"]["schedule"] == "0 0 * * *"
    rated = cron_job(from_launch_plan(rate, image=IMAGE, command=["true"]), settings)
    assert rated["spec"]["schedule"] == "0 */2 * * *"
    with pytest.raises(SpecError, match=r"CronSchedule\.offset PT30M cannot be expressed by a CronJob"):
        from_launch_plan(offset, image=IMAGE, command=["true"])


@pytest.mark.parametrize(
    ("schedule", "odd"),
    [("0 0 L * *", "L"), ("0 9 * * 5#3", "5#3"), ("0 0 15W * *", "15W")],
)
def test_croniter_only_syntax_is_refused(schedule: str, odd: str) -> None:
    """croniter (and so a CronSchedule) accepts these; the CronJob controller's parser does not."""
    from dockyard import CronSchedule

    assert CronSchedule(schedule=schedule).cron == schedule
    with pytest.raises(SpecError, match=f"a CronJob cannot express '{odd}'"):
        cron_schedule(_launch(cron=schedule))
    assert cron_schedule(_launch(cron="*/5 0-6,20-23 ? JAN-MAR mon")) == "*/5 0-6,20-23 ? JAN-MAR mon"
