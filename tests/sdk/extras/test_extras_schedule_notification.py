"""Schedules and notifications are validated when written, with flytekit 1.16's rules."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dockyard import CronSchedule, Email, FixedRate, PagerDuty, Slack
from dockyard.models.core.execution import WorkflowExecutionPhase
from dockyard.sdk.notification import NotificationError
from dockyard.sdk.schedule import ScheduleError

# flytekit 1.16's cron aliases, all accepted by CronSchedule(schedule=...).
ALIASES = [
    "hourly", "hours", "@hourly", "daily", "days", "@daily", "weekly", "weeks", "@weekly",
    "monthly", "months", "@monthly", "annually", "@annually", "yearly", "years", "@yearly",
]  # fmt: skip


@pytest.mark.parametrize("line", ["0 2 * * *", "*/5 * * * *", "0 0 * * 1-5", "0 0 * * * *", *ALIASES])
def test_cron_accepts_lines_and_aliases(line: str) -> None:
    assert CronSchedule(schedule=line).schedule == line


@pytest.mark.parametrize("line", ["bad", "61 * * * *", "* * *", "@reboot", "minutely", ""])
def test_cron_rejects_invalid_lines(line: str) -> None:
    with pytest.raises(ScheduleError, match=r"^CronSchedule\.schedule: "):
        CronSchedule(schedule=line)


def test_cron_details() -> None:
    assert CronSchedule(schedule="@daily").next_after(datetime(2024, 1, 1, 5)) == datetime(2024, 1, 2)
    assert CronSchedule(schedule="0 2 * * *").next_after(datetime(2024, 1, 1, 5)) == datetime(2024, 1, 2, 2)
    assert CronSchedule(schedule="0 2 * * *", offset="PT1H").offset == "PT1H"
    assert CronSchedule(schedule="@daily") == CronSchedule(schedule="@daily")
    assert CronSchedule(schedule="@daily", kickoff_time_input_arg="t").kickoff_time_input_arg == "t"
    with pytest.raises(ScheduleError, match="offset"):
        CronSchedule(schedule="0 2 * * *", offset="one hour")
    with pytest.raises(ScheduleError, match="deprecated"):
        CronSchedule(cron_expression="0 2 * * ? *")
    with pytest.raises(ScheduleError, match="kickoff_time_input_arg"):
        CronSchedule(schedule="@daily", kickoff_time_input_arg="not a name")
    # flytekit raises ValueError for a bad cron line; code that catches it keeps working
    with pytest.raises(ValueError):
        CronSchedule(schedule="nope")


@pytest.mark.parametrize("duration", [timedelta(minutes=1), timedelta(hours=1), timedelta(days=2)])
def test_fixed_rate_accepts_whole_minutes(duration: timedelta) -> None:
    assert FixedRate(duration=duration).duration == duration
    assert FixedRate(duration).next_after(datetime(2024, 1, 1)) == datetime(2024, 1, 1) + duration


@pytest.mark.parametrize(
    "duration", [timedelta(seconds=30), timedelta(seconds=90), timedelta(0), timedelta(minutes=-5)]
)
def test_fixed_rate_rejects_under_a_minute_or_partial_minutes(duration: timedelta) -> None:
    with pytest.raises(ScheduleError, match=r"^FixedRate\.duration: "):
        FixedRate(duration=duration)
    with pytest.raises(AssertionError):  # what flytekit raises here
        FixedRate(duration=duration)


def test_fixed_rate_needs_a_timedelta() -> None:
    with pytest.raises(ScheduleError, match="expected a timedelta"):
        FixedRate(duration=3600)  # type: ignore[arg-type]


def test_phases_have_flytekit_values() -> None:
    P = WorkflowExecutionPhase
    values = {p.name: int(p) for p in P}
    assert values == {
        "UNDEFINED": 0, "QUEUED": 1, "RUNNING": 2, "SUCCEEDING": 3, "SUCCEEDED": 4,
        "FAILING": 5, "FAILED": 6, "ABORTED": 7, "TIMED_OUT": 8, "ABORTING": 9,
    }  # fmt: skip
    assert P.enum_to_string(6) == "FAILED"


@pytest.mark.parametrize("cls", [Email, Slack, PagerDuty])
def test_notifications_accept_only_terminal_phases(cls: type[Email]) -> None:
    P = WorkflowExecutionPhase
    ok = cls(phases=[P.SUCCEEDED, P.FAILED, P.TIMED_OUT, P.ABORTED], recipients_email=["team@example.com"])
    assert ok.phases == (P.SUCCEEDED, P.FAILED, P.TIMED_OUT, P.ABORTED)
    assert cls([6], ["team@example.com"]) == cls(phases=[P.FAILED], recipients_email=["team@example.com"])
    for phase in (P.RUNNING, P.QUEUED, P.SUCCEEDING, P.FAILING, P.ABORTING, P.UNDEFINED):
        with pytest.raises(NotificationError, match=f"{phase.name} is not a terminal phase"):
            cls(phases=[phase], recipients_email=["x@example.com"])
    with pytest.raises(NotificationError, match="at least one phase"):
        cls(phases=[], recipients_email=["x@example.com"])
    with pytest.raises(NotificationError, match="not a WorkflowExecutionPhase"):
        cls(phases=[42], recipients_email=["x@example.com"])
    with pytest.raises(NotificationError, match="recipients_email"):
        cls(phases=[P.FAILED], recipients_email=[])


def test_notification_kinds_differ_and_serialize() -> None:
    P = WorkflowExecutionPhase
    email = Email(phases=[P.FAILED], recipients_email=["team@example.com"])
    slack = Slack(phases=[P.FAILED], recipients_email=["team@example.com"])
    assert email != slack
    assert slack.to_dict() == {"kind": "slack", "phases": ["FAILED"], "recipients": ["team@example.com"]}
    with pytest.raises(AssertionError):  # flytekit raises AssertionError for a non-terminal phase
        Email(phases=[P.RUNNING], recipients_email=["x"])
