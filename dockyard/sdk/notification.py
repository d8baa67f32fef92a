"""Launch plan notifications: `Email`, `Slack` and `PagerDuty`, as flytekit 1.16 spells them.

They are frozen dataclasses rather than pydantic models because flytekit code builds them positionally
(`Email([WorkflowExecutionPhase.FAILED], ["team@example.com"])`) and compares them by value when
`LaunchPlan.get_or_create` decides whether two plans are the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from dockyard.errors import DockyardError
from dockyard.models.core.execution import TERMINAL_PHASES, WorkflowExecutionPhase


class NotificationError(DockyardError, ValueError, AssertionError):
    """A notification is malformed; also a ValueError/AssertionError, which flytekit raises in its place."""

    exit_code = 2


def _phases(kind: str, phases: Iterable[int]) -> tuple[WorkflowExecutionPhase, ...]:
    """Check that every phase is terminal: a notification fires once, when the execution ends."""
    checked: list[WorkflowExecutionPhase] = []
    for phase in phases:
        try:
            value = WorkflowExecutionPhase(phase)
        except ValueError:
            raise NotificationError(f"{kind}.phases: {phase!r} is not a WorkflowExecutionPhase") from None
        if value not in TERMINAL_PHASES:
            allowed = ", ".join(p.name for p in sorted(TERMINAL_PHASES))
            raise NotificationError(f"{kind}.phases: {value.name} is not a terminal phase ({allowed})")
        checked.append(value)
    if not checked:
        raise NotificationError(f"{kind}.phases: at least one phase is required")
    return tuple(checked)


@dataclass(frozen=True, init=False)
class Notification:
    """Who to tell, and on which terminal phases of a launch plan's executions."""

    kind: ClassVar[str] = "notification"
    phases: tuple[WorkflowExecutionPhase, ...]
    recipients_email: tuple[str, ...]

    def __init__(self, phases: Iterable[int], recipients_email: Iterable[str]) -> None:
        recipients = (recipients_email,) if isinstance(recipients_email, str) else tuple(recipients_email)
        if not recipients or not all(isinstance(r, str) and r.strip() for r in recipients):
            raise NotificationError(f"{self.kind}.recipients_email: give at least one non-empty recipient")
        object.__setattr__(self, "phases", _phases(self.kind, phases))
        object.__setattr__(self, "recipients_email", recipients)

    def to_dict(self) -> dict[str, Any]:
        """The serialized form stored with a launch plan."""
        return {
            "kind": self.kind,
            "phases": [p.name for p in self.phases],
            "recipients": list(self.recipients_email),
        }


class Email(Notification):
    """Send an email to `recipients_email` (delivered through the SMTP settings)."""

    kind = "email"


class Slack(Notification):
    """Post to Slack; the recipients are channels or Slack-linked email addresses, as in flytekit."""

    kind = "slack"


class PagerDuty(Notification):
    """Page through PagerDuty's email integration addresses."""

    kind = "pager_duty"
