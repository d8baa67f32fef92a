"""The one vocabulary of phases: of an execution, a node, one attempt and the pod or container running it.

Records store the values, executors report them, the Kubernetes pod reading speaks them, so "failed" means
one thing everywhere. flytekit's `WorkflowExecutionPhase` (an int enum, kept at its import path for user code
and notifications) is the execution-level spelling of the same states: `Phase.flyte` maps onto it.
"""

from __future__ import annotations

from enum import Enum

from dockyard.models.core.execution import WorkflowExecutionPhase


class Phase(str, Enum):
    PENDING = "pending"  # not started: upstream nodes still running, or a pod not yet scheduled
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    PREEMPTED = "preempted"  # the node or scheduler took the container away: relaunched, not the task's fault
    ABORTED = "aborted"  # stopped by the user (Ctrl-C, `executions --abort`)
    SKIPPED = "skipped"  # a branch not taken, or a node after a failure
    CACHED = "cached"  # outputs taken from the cache

    @property
    def final(self) -> bool:
        return self not in (Phase.PENDING, Phase.RUNNING)

    @property
    def flyte(self) -> WorkflowExecutionPhase:
        """flytekit's execution phase for this one (notifications name phases that way)."""
        return _FLYTE.get(self, WorkflowExecutionPhase.UNDEFINED)


_FLYTE = {
    Phase.PENDING: WorkflowExecutionPhase.QUEUED,
    Phase.RUNNING: WorkflowExecutionPhase.RUNNING,
    Phase.SUCCEEDED: WorkflowExecutionPhase.SUCCEEDED,
    Phase.CACHED: WorkflowExecutionPhase.SUCCEEDED,
    Phase.FAILED: WorkflowExecutionPhase.FAILED,
    Phase.PREEMPTED: WorkflowExecutionPhase.FAILED,
    Phase.TIMED_OUT: WorkflowExecutionPhase.TIMED_OUT,
    Phase.ABORTED: WorkflowExecutionPhase.ABORTED,
}
