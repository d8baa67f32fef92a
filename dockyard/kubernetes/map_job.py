"""A `map_task` on Kubernetes as one Indexed Job, and the reading of that Job's status back into items.

The driver does not create a Pod per item: it creates one Job with `completionMode: Indexed`, one
completion per item, `parallelism` the map's concurrency, `backoffLimitPerIndex` the task's retries (each
item is retried on its own) and `maxFailedIndexes` the failures `min_success_ratio` tolerates, so the Job
controller stops early once the ratio cannot be met. A pod lost to the platform (preempted, evicted: the
`DisruptionTarget` condition) is ignored by the pod failure policy, so it is relaunched without using a
retry, as the driver relaunches a lost pod for free.

The pod template is the task pod of item "$(DOCKYARD_MAP_INDEX)": Kubernetes expands that reference in
the command from the variable set from the pod's completion index (downward API), so each item's pod
reads its own item and writes its own folder, exactly as a per-item pod would. Retries of an index share
that folder (attempt 0): outputs.json is written last, so a retry that succeeds overrides the error.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any

from dockyard.config import Settings
from dockyard.kubernetes.naming import dns_name, object_labels
from dockyard.kubernetes.task_pod import task_pod
from dockyard.runtime.executor import TaskAttempt
from dockyard.runtime.phase import Phase

INDEX_VAR = "DOCKYARD_MAP_INDEX"
INDEX_REF = f"$({INDEX_VAR})"  # what the command says where an item's index goes
_INDEX_FIELD = "metadata.annotations['batch.kubernetes.io/job-completion-index']"


@dataclass(frozen=True)
class MapShape:
    """How the items of one map node run: how many, how many at once, retries each, failures tolerated."""

    items: int
    parallelism: int
    retries: int
    max_failed: int


def job_name(attempt: TaskAttempt) -> str:
    return dns_name("dockyard", attempt.execution_id, attempt.node_id, "map", str(attempt.attempt))


def map_job(attempt: TaskAttempt, shape: MapShape, settings: Settings) -> dict[str, Any]:
    """The Indexed Job of a map node. `attempt`: the task pod's attempt for node id the map node, whose
    command names the item's index as `INDEX_REF`."""
    pod = task_pod(attempt, settings)
    spec = copy.deepcopy(pod["spec"])
    index_env = {"name": INDEX_VAR, "valueFrom": {"fieldRef": {"fieldPath": _INDEX_FIELD}}}
    for container in spec["containers"]:
        if container["command"] == list(attempt.command):
            container["env"] = [index_env, *container.get("env", [])]  # before what refers to it
    kube = settings.kubernetes
    labels = object_labels(
        kube.labels,
        component="map",
        execution_id=attempt.execution_id,
        node_id=attempt.node_id,
        attempt=str(attempt.attempt),
    )
    template_metadata = {k: v for k, v in pod["metadata"].items() if k in ("labels", "annotations")}
    job_spec: dict[str, Any] = {
        "completionMode": "Indexed",
        "completions": shape.items,
        "parallelism": max(1, shape.parallelism),
        "backoffLimitPerIndex": shape.retries,
        "maxFailedIndexes": shape.max_failed,
        "podFailurePolicy": {
            "rules": [
                {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}
            ]
        },
        "template": {"metadata": template_metadata, "spec": spec},
    }
    labels = {**attempt.labels, **labels}  # the run's --labels, dockyard's own winning (as on pods)
    metadata: dict[str, Any] = {"name": job_name(attempt), "namespace": kube.namespace, "labels": labels}
    if attempt.annotations:
        metadata["annotations"] = dict(attempt.annotations)
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": metadata, "spec": job_spec}


def item_attempt(attempt: TaskAttempt, map_node: str) -> TaskAttempt:
    """The attempt rendered for node `<map>-$(DOCKYARD_MAP_INDEX)`, named for the map node (labels and the
    Job's name cannot hold the reference)."""
    return dataclasses.replace(attempt, node_id=map_node)


def parse_indexes(text: str | None) -> set[int]:
    """`completedIndexes` / `failedIndexes` ("1,3-5,7") as a set."""
    found: set[int] = set()
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        low, _, high = part.partition("-")
        found.update(range(int(low), int(high or low) + 1))
    return found


@dataclass
class MapOutcome:
    """Each item's phase, from the Job's status; `message`: why the Job ended, when it failed."""

    phases: list[Phase]
    message: str = ""
    succeeded: int = field(init=False)

    def __post_init__(self) -> None:
        self.succeeded = sum(1 for p in self.phases if p is Phase.SUCCEEDED)


def job_finished(status: dict[str, Any]) -> bool:
    """Whether the Job controller is done with it (Complete or Failed)."""
    return any(
        c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
        for c in status.get("conditions") or []
    )


def map_outcome(status: dict[str, Any], items: int) -> MapOutcome:
    """Items from a finished Job's status: completed indexes succeeded, failed indexes failed (their
    retries spent, or a final error), and any other index was never finished: the Job stopped first
    (too many failed indexes, a deadline), so it is aborted."""
    done = parse_indexes(status.get("completedIndexes"))
    failed = parse_indexes(status.get("failedIndexes"))
    phases = [
        Phase.SUCCEEDED if i in done else Phase.FAILED if i in failed else Phase.ABORTED for i in range(items)
    ]
    message = ""
    for condition in status.get("conditions") or []:
        if condition.get("type") == "Failed" and condition.get("status") == "True":
            message = f"{condition.get('reason', '')}: {condition.get('message', '')}".strip(": ")
    return MapOutcome(phases, message)
