"""Execution phases under flytekit's import path (`flytekit.models.core.execution`).

Notifications name the phases they fire on; the values are flytekit's (and Flyte's IDL's), so code and
serialized launch plans written for flytekit keep their meaning.
"""

from __future__ import annotations

from enum import IntEnum


class WorkflowExecutionPhase(IntEnum):
    """The phases a workflow execution passes through; an int like flytekit's, so comparisons keep working."""

    UNDEFINED = 0
    QUEUED = 1
    RUNNING = 2
    SUCCEEDING = 3
    SUCCEEDED = 4
    FAILING = 5
    FAILED = 6
    ABORTED = 7
    TIMED_OUT = 8
    ABORTING = 9

    @classmethod
    def enum_to_string(cls, value: int) -> str:
        """The phase's name, as flytekit's helper of the same name gives it."""
        return cls(value).name


TERMINAL_PHASES = frozenset(
    {
        WorkflowExecutionPhase.SUCCEEDED,
        WorkflowExecutionPhase.FAILED,
        WorkflowExecutionPhase.TIMED_OUT,
        WorkflowExecutionPhase.ABORTED,
    }
)
