"""Read a Pod's status and say what happened to it, in words a user can act on.

Shared by build Jobs and task pods. Pure: it takes a `kubernetes.client.V1Pod` (as read or watched from the
API) and returns a `PodVerdict`; the cluster layer decides what to do with it (wait, fail, retry).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from dockyard.runtime.phase import Phase

# Pod conditions and reasons that mean the node or the scheduler took the pod away: not the task's fault.
_DISRUPTION_REASONS = {
    "PreemptionByScheduler",
    "PreemptionByKubeScheduler",
    "DeletionByTaintManager",
    "EvictionByEvictionAPI",
    "DeletionByPodGC",
    "TerminationByKubelet",
}
_PREEMPTED_POD_REASONS = {"Evicted", "Preempting", "Shutdown", "NodeShutdown", "Terminated", "NodeLost"}
_IMAGE_PULL_REASONS = {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"}
_CONFIG_REASONS = {"CreateContainerConfigError", "CreateContainerError", "RunContainerError"}


# Why a pod is stuck or failed beyond its phase; the builder and the executor word their advice by it.
Cause = Literal["unschedulable", "image_pull", "config"]


@dataclass(frozen=True)
class PodVerdict:
    state: Phase
    message: str = ""
    exit_code: int | None = None
    cause: Cause | None = None

    @property
    def final(self) -> bool:
        return self.state.final


def _waiting_problem(statuses: list[Any]) -> PodVerdict | None:
    for status in statuses:
        waiting = status.state.waiting if status.state else None
        if waiting is None or not waiting.reason:
            continue
        if waiting.reason in _IMAGE_PULL_REASONS:
            return PodVerdict(
                Phase.FAILED,
                f"container {status.name}: image {status.image} cannot be pulled ({waiting.reason}): "
                f"{waiting.message or 'no detail'}",
                cause="image_pull",
            )
        if waiting.reason in _CONFIG_REASONS:
            return PodVerdict(
                Phase.FAILED,
                f"container {status.name}: {waiting.reason}: {waiting.message or ''}".strip(),
                cause="config",
            )
    return None


def _terminated_failure(statuses: list[Any], kind: str) -> PodVerdict | None:
    for status in statuses:
        term = status.state.terminated if status.state else None
        if term is None or term.exit_code == 0:
            continue
        if term.reason == "OOMKilled":
            text = f"{kind} {status.name} ran out of memory (OOMKilled): raise its memory limit"
        else:
            detail = f": {term.message.strip()}" if term.message and term.message.strip() else ""
            text = (
                f"{kind} {status.name} exited with code {term.exit_code} ({term.reason or 'Error'}){detail}"
            )
        return PodVerdict(Phase.FAILED, text, term.exit_code)
    return None


def _condition(pod: Any, kind: str) -> Any:
    for condition in pod.status.conditions or []:
        if condition.type == kind:
            return condition
    return None


def classify_pod(pod: Any) -> PodVerdict:
    """What a pod's status means: still waiting, running, done, or failed and why."""
    status = pod.status
    phase = status.phase or "Pending"
    init_statuses = list(status.init_container_statuses or [])
    statuses = list(status.container_statuses or [])
    disruption = _condition(pod, "DisruptionTarget")
    if disruption is not None and disruption.status == "True" and disruption.reason in _DISRUPTION_REASONS:
        return PodVerdict(
            Phase.PREEMPTED, f"pod was disrupted ({disruption.reason}): {disruption.message or ''}"
        )
    if status.reason in _PREEMPTED_POD_REASONS:
        return PodVerdict(
            Phase.PREEMPTED, f"pod was stopped by the node ({status.reason}): {status.message or ''}"
        )
    if status.reason == "DeadlineExceeded":
        return PodVerdict(
            Phase.TIMED_OUT, f"pod ran past its deadline: {status.message or 'DeadlineExceeded'}"
        )
    if phase == "Succeeded":
        return PodVerdict(Phase.SUCCEEDED, exit_code=0)
    if phase == "Failed":
        failure = _terminated_failure(init_statuses, "init container") or _terminated_failure(
            statuses, "container"
        )
        return failure or PodVerdict(
            Phase.FAILED, f"pod failed: {status.reason or ''} {status.message or ''}"
        )
    problem = _waiting_problem(init_statuses + statuses)
    if problem is not None:
        return problem
    if phase == "Running":
        return PodVerdict(Phase.RUNNING)
    scheduled = _condition(pod, "PodScheduled")
    if scheduled is not None and scheduled.status == "False" and scheduled.reason == "Unschedulable":
        message = f"pod cannot be scheduled: {scheduled.message or 'no node fits'}"
        return PodVerdict(Phase.PENDING, message, cause="unschedulable")
    return PodVerdict(Phase.PENDING)
