"""The `kubernetes` executor backend: one Pod per task attempt, watched to the end and always deleted.

The Pod comes from the pure `task_pod.task_pod`; the pod's final status is read by the shared
`pod_status.classify_pod` and mapped to an `Outcome` (an eviction or preemption is `Phase.PREEMPTED`, so
the orchestrator retries it as a system error). The log is captured before the pod is deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dockyard.config import Settings, get_settings
from dockyard.errors import ExecutionError
from dockyard.kubernetes.map_job import MapOutcome, MapShape, item_attempt, map_job, map_outcome
from dockyard.kubernetes.naming import label_value
from dockyard.kubernetes.pod_status import PodVerdict
from dockyard.kubernetes.raw_pod import RAW_CONTAINER, RawContainer, raw_task_pod
from dockyard.kubernetes.task_pod import PRIMARY, task_pod
from dockyard.runtime.executor import Outcome, TaskAttempt
from dockyard.runtime.phase import Phase

_ALL_LINES = 1_000_000
_PHASES = {
    Phase.SUCCEEDED: Phase.SUCCEEDED,
    Phase.TIMED_OUT: Phase.TIMED_OUT,
    Phase.PREEMPTED: Phase.PREEMPTED,
}


def render_task_manifests(attempts: Iterable[TaskAttempt], settings: Settings) -> list[dict[str, Any]]:
    """The Pods `run --remote --backend kubernetes` would create, for `--dry-run` (no driver affinity:
    the nodes' driver versions are only known with a cluster)."""
    return [task_pod(attempt, settings) for attempt in attempts]


def outcome_of(verdict: PodVerdict, log_tail: str = "") -> Outcome:
    """The orchestrator's view of a final pod verdict; failures carry the log tail."""
    phase = _PHASES.get(verdict.state, Phase.FAILED)
    message = verdict.message
    if phase is Phase.FAILED and log_tail.strip():
        message = f"{message}\n{log_tail.strip()}"
    return Outcome(phase=phase, exit_code=verdict.exit_code, message=message)


@dataclass
class PodHandle:
    name: str
    container: str = PRIMARY  # the task's container (a pod template may name it)
    log: str | None = None  # captured at the end, before the pod is deleted
    cancelled: bool = False
    outcome: Outcome | None = None


@dataclass
class MapHandle:
    """One map node's Indexed Job."""

    name: str
    shape: MapShape
    container: str = PRIMARY  # the task's container (a pod template may name it)
    cancelled: bool = False
    outcome: MapOutcome | None = None
    logs: dict[int, str] | None = None  # each item's newest pod's log, kept before the Job is deleted


class KubernetesExecutor:
    """Runs attempts as Pods in `kubernetes.namespace` (see module docstring)."""

    name = "kubernetes"

    def __init__(self, settings: Settings | None = None, *, cluster: Any = None) -> None:
        self.settings = settings or get_settings()
        self._cluster = cluster

    @property
    def cluster(self) -> Any:
        if self._cluster is None:
            from dockyard.kubernetes.cluster import Cluster

            self._cluster = Cluster(self.settings.kubernetes, ExecutionError)
        return self._cluster

    def _driver_versions(self, attempt: TaskAttempt) -> list[str] | None:
        """Driver label values of the nodes carrying the attempt's GPU model (None: no minimum to check)."""
        if not attempt.min_driver_version:
            return None
        kube = self.settings.kubernetes
        selector = (
            f"{kube.gpu_product_label}={attempt.accelerator}"
            if attempt.accelerator
            else kube.gpu_driver_label
        )
        labels = self.cluster.node_labels(selector)
        return [node[kube.gpu_driver_label] for node in labels if kube.gpu_driver_label in node]

    def launch(self, attempt: TaskAttempt) -> PodHandle:
        manifest = task_pod(attempt, self.settings, self._driver_versions(attempt))
        self.cluster.create(manifest)
        return PodHandle(
            name=manifest["metadata"]["name"], container=manifest["spec"]["containers"][0]["name"]
        )

    def launch_raw(self, attempt: TaskAttempt, raw: RawContainer) -> PodHandle:
        """A ContainerTask's attempt (`raw_pod`): its log is the user's container's."""
        manifest = raw_task_pod(attempt, raw, self.settings, self._driver_versions(attempt))
        self.cluster.create(manifest)
        return PodHandle(name=manifest["metadata"]["name"], container=RAW_CONTAINER)

    def wait(self, handle: PodHandle) -> Outcome:
        """Watch the pod to a final state, keep its log, delete it (also on Ctrl-C), map the outcome."""
        if handle.outcome is not None:
            return handle.outcome
        try:
            verdict = self.cluster.wait_pod(handle.name, lambda v: False)
            handle.log = self.cluster.log_tail(handle.name, handle.container, lines=_ALL_LINES)
        finally:
            self.cluster.delete("Pod", handle.name)
        if handle.cancelled:
            handle.outcome = Outcome(Phase.ABORTED, verdict.exit_code, "cancelled")
        else:
            handle.outcome = outcome_of(verdict, "\n".join((handle.log or "").splitlines()[-40:]))
        return handle.outcome

    def logs(self, handle: PodHandle) -> str:
        if handle.log is not None:
            return handle.log
        return str(self.cluster.log_tail(handle.name, handle.container, lines=_ALL_LINES))

    def cancel(self, handle: PodHandle | MapHandle) -> None:
        handle.cancelled = True
        self.cluster.delete("Job" if isinstance(handle, MapHandle) else "Pod", handle.name)

    # -- map tasks: one Indexed Job per map node (`map_job`) ----------------------------------------
    def launch_map(self, attempt: TaskAttempt, map_node: str, shape: MapShape) -> MapHandle:
        """Create the Indexed Job of map node `map_node`; `attempt`: its item `INDEX_REF`'s attempt."""
        manifest = map_job(item_attempt(attempt, map_node), shape, self.settings)
        self.cluster.create(manifest)
        containers = manifest["spec"]["template"]["spec"]["containers"]
        container = next(c["name"] for c in containers if c["command"] == list(attempt.command))
        return MapHandle(name=manifest["metadata"]["name"], shape=shape, container=container)

    def wait_map(self, handle: MapHandle) -> MapOutcome:
        """Watch the Job to its end, keep each item's log, delete the Job and its pods (also on Ctrl-C)."""
        if handle.outcome is not None:
            return handle.outcome
        try:
            status = self.cluster.wait_job(handle.name)
            pods = self.cluster.job_pods(handle.name)
            handle.logs = {
                i: self.cluster.log_tail(pod, PRIMARY, lines=_ALL_LINES) for i, pod in pods.items()
            }
        finally:
            self.cluster.delete("Job", handle.name)
        outcome = map_outcome(status, handle.shape.items)
        if handle.cancelled:
            outcome = MapOutcome(
                [Phase.ABORTED if p is not Phase.SUCCEEDED else p for p in outcome.phases], "cancelled"
            )
        handle.outcome = outcome
        return outcome

    def remove_execution(self, execution_id: str) -> dict[tuple[str, int], str]:
        """Delete every map Job and pod of an execution whose driver is gone (Jobs first: a Job left behind
        would start its pods again); the task pods' logs, read before, by (node, attempt) from the pods'
        labels, so the record keeps what the interrupted attempts printed."""
        selector = f"dockyard.io/execution-id={label_value(execution_id)}"
        self.cluster.delete_jobs(f"{selector},dockyard.io/component=map")
        logs: dict[tuple[str, int], str] = {}
        for labels, log in self.cluster.delete_pods(selector):
            node, attempt = labels.get("dockyard.io/node-id"), labels.get("dockyard.io/attempt", "")
            if node and attempt.isdigit():
                logs[(node, int(attempt))] = log
        return logs
