"""Launch plan schedules: `CronSchedule` and `FixedRate`, with flytekit 1.16's arguments and checks.

A schedule is checked when it is written, not when the scheduler first fires it, so a typo in a cron line
fails the user's import instead of a night's run. Frozen dataclasses (not pydantic) because flytekit code
passes them positionally and `LaunchPlan.get_or_create` compares them by value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dockyard.errors import DockyardError


class ScheduleError(DockyardError, ValueError, AssertionError):
    """A schedule is malformed; also a ValueError/AssertionError, which flytekit raises in its place."""

    exit_code = 2


# flytekit's cron aliases, each with the cron line it stands for (croniter knows only the '@' forms).
_ALIASES = {
    **dict.fromkeys(("hourly", "hours", "@hourly"), "0 * * * *"),
    **dict.fromkeys(("daily", "days", "@daily"), "0 0 * * *"),
    **dict.fromkeys(("weekly", "weeks", "@weekly"), "0 0 * * 0"),
    **dict.fromkeys(("monthly", "months", "@monthly"), "0 0 1 * *"),
    **dict.fromkeys(("annually", "@annually", "yearly", "years", "@yearly"), "0 0 1 1 *"),
}
_ISO_DURATION = re.compile(
    r"[-+]?P(?=[\dT])(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?"
)


def _check_input_arg(owner: str, name: str | None) -> None:
    if name is not None and not (isinstance(name, str) and name.isidentifier()):
        raise ScheduleError(f"{owner}.kickoff_time_input_arg: {name!r} is not an input name")


@dataclass(frozen=True)
class CronSchedule:
    """Run on a cron line (`"0 2 * * *"`) or a flytekit alias (`"@daily"`, `"hourly"`, ...).

    `kickoff_time_input_arg` names a `datetime` input of the workflow that receives the scheduled time;
    the launch plan checks that the workflow has it.
    """

    cron_expression: str | None = None
    schedule: str | None = None
    offset: str | None = None
    kickoff_time_input_arg: str | None = None
    cron: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.cron_expression is not None:
            raise ScheduleError("CronSchedule.cron_expression is deprecated in flytekit: use schedule=")
        if not isinstance(self.schedule, str) or not self.schedule.strip():
            raise ScheduleError("CronSchedule.schedule: give a cron line such as '0 2 * * *' or an alias")
        cron = _ALIASES.get(self.schedule, self.schedule)
        try:
            from croniter import croniter  # lazily: only schedules need it
        except ImportError:  # a task image (the client's own dependency): the client checked this module
            croniter = None
        try:
            if croniter is not None:
                croniter(cron)
        except (ValueError, KeyError) as exc:
            raise ScheduleError(
                f"CronSchedule.schedule: {self.schedule!r} is not a valid cron line: {exc}"
            ) from None
        if self.offset is not None and not _ISO_DURATION.fullmatch(self.offset):
            raise ScheduleError(
                f"CronSchedule.offset: {self.offset!r} is not an ISO 8601 duration such as 'PT1H'"
            )
        _check_input_arg("CronSchedule", self.kickoff_time_input_arg)
        object.__setattr__(self, "cron", cron)

    def next_after(self, moment: datetime) -> datetime:
        """The first scheduled time strictly after `moment` (the offset is the scheduler's business)."""
        from croniter import croniter

        return croniter(self.cron, moment).get_next(datetime)

    def to_dict(self) -> dict[str, Any]:
        """The serialized form stored with a launch plan."""
        return {
            "kind": "cron",
            "schedule": self.schedule,
            "offset": self.offset,
            "kickoff_time_input_arg": self.kickoff_time_input_arg,
        }


@dataclass(frozen=True)
class FixedRate:
    """Run every `duration`, counted in whole minutes (flytekit's granularity)."""

    duration: timedelta
    kickoff_time_input_arg: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.duration, timedelta):
            raise ScheduleError(
                f"FixedRate.duration: expected a timedelta, got {type(self.duration).__name__}"
            )
        if self.duration < timedelta(minutes=1) or self.duration % timedelta(minutes=1):
            raise ScheduleError(
                f"FixedRate.duration: {self.duration} is not a whole number of minutes (one minute at least)"
            )
        _check_input_arg("FixedRate", self.kickoff_time_input_arg)

    def next_after(self, moment: datetime) -> datetime:
        """The next run after one that started at `moment`."""
        return moment + self.duration

    def to_dict(self) -> dict[str, Any]:
        """The serialized form stored with a launch plan."""
        return {
            "kind": "fixed_rate",
            "minutes": self.duration // timedelta(minutes=1),
            "kickoff_time_input_arg": self.kickoff_time_input_arg,
        }


Schedule = CronSchedule | FixedRate
