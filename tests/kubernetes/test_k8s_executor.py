"""KubernetesExecutor: launch, wait, logs, cancel over a stand-in for the API server (none runs here)."""

from __future__ import annotations

from typing import Any

import pytest
from k8s_helpers import assert_valid, make_settings

from dockyard.errors import ExecutionError
from dockyard.kubernetes.executor import KubernetesExecutor
from dockyard.kubernetes.pod_status import PodVerdict
from dockyard.runtime.executor import TaskAttempt
from dockyard.runtime.phase import Phase


class PodCluster:
    """Replays one pod's final verdict and log; records creates, deletes and node queries."""

    def __init__(self, final: PodVerdict, log: str = "", nodes: list[dict[str, str]] | None = None) -> None:
        self.final, self.log, self.nodes = final, log, nodes or []
        self.created: list[dict[str, Any]] = []
        self.deleted: list[tuple[str, str]] = []
        self.selectors: list[str] = []
        self.interrupt = False

    def create(self, manifest: dict[str, Any]) -> None:
        self.created.append(manifest)

    def delete(self, kind: str, name: str) -> None:
        self.deleted.append((kind, name))

    def wait_pod(self, name: str, until: Any) -> PodVerdict:
        if self.interrupt:
            raise KeyboardInterrupt
        return self.final

    def log_tail(self, pod: str, container: str, lines: int = 40) -> str:
        return self.log

    def node_labels(self, selector: str) -> list[dict[str, str]]:
        self.selectors.append(selector)
        return self.nodes


def _attempt(**options: Any) -> TaskAttempt:
    return TaskAttempt(
        execution_id="ex1",
        node_id="n0",
        attempt=0,
        image="r.example.com/a@sha256:" + "e" * 64,
        command=["dockyard-execute"],
        **options,
    )


def test_success_keeps_the_log_and_deletes_the_pod() -> None:
    cluster = PodCluster(PodVerdict(Phase.SUCCEEDED, exit_code=0), log="hello\n")
    executor = KubernetesExecutor(make_settings(), cluster=cluster)
    handle = executor.launch(_attempt())
    assert_valid(cluster.created[0])
    outcome = executor.wait(handle)
    assert (outcome.phase, outcome.exit_code) == (Phase.SUCCEEDED, 0)
    assert cluster.deleted == [("Pod", handle.name)]
    assert executor.logs(handle) == "hello\n"
    assert executor.wait(handle) is outcome  # idempotent, no second watch


def test_failure_message_has_the_log_tail() -> None:
    log = "".join(f"line {n}\n" for n in range(100)) + "ValueError: boom\n"
    cluster = PodCluster(PodVerdict(Phase.FAILED, "container primary exited with code 1 (Error)", 1), log=log)
    executor = KubernetesExecutor(make_settings(), cluster=cluster)
    outcome = executor.wait(executor.launch(_attempt()))
    assert outcome.phase is Phase.FAILED and outcome.exit_code == 1
    assert outcome.message.endswith("ValueError: boom")
    assert "line 50" not in outcome.message  # only the tail


def test_preempted_pod_is_a_system_error_for_retry() -> None:
    cluster = PodCluster(PodVerdict(Phase.PREEMPTED, "pod was disrupted (PreemptionByScheduler): "))
    executor = KubernetesExecutor(make_settings(), cluster=cluster)
    assert executor.wait(executor.launch(_attempt(interruptible=True))).phase is Phase.PREEMPTED


def test_cancel_deletes_and_reports_cancelled() -> None:
    cluster = PodCluster(PodVerdict(Phase.PREEMPTED, "pod disappeared"))
    executor = KubernetesExecutor(make_settings(), cluster=cluster)
    handle = executor.launch(_attempt())
    executor.cancel(handle)
    assert executor.wait(handle).phase is Phase.ABORTED
    assert cluster.deleted == [("Pod", handle.name), ("Pod", handle.name)]


def test_ctrl_c_while_waiting_still_deletes_the_pod() -> None:
    cluster = PodCluster(PodVerdict(Phase.SUCCEEDED))
    cluster.interrupt = True
    executor = KubernetesExecutor(make_settings(), cluster=cluster)
    handle = executor.launch(_attempt())
    with pytest.raises(KeyboardInterrupt):
        executor.wait(handle)
    assert cluster.deleted == [("Pod", handle.name)]


def test_min_driver_version_asks_the_nodes_first() -> None:
    nodes = [
        {"nvidia.com/gpu.product": "A100", "nvidia.com/cuda.driver-version.full": "550.54.15"},
        {"nvidia.com/gpu.product": "A100", "nvidia.com/cuda.driver-version.full": "470.82.01"},
        {"nvidia.com/gpu.product": "A100"},
    ]
    cluster = PodCluster(PodVerdict(Phase.SUCCEEDED), nodes=nodes)
    executor = KubernetesExecutor(make_settings(), cluster=cluster)
    executor.launch(_attempt(accelerator="A100", min_driver_version="535"))
    assert cluster.selectors == ["nvidia.com/gpu.product=A100"]
    pod = cluster.created[0]
    assert_valid(pod)
    terms = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert terms["nodeSelectorTerms"][0]["matchExpressions"][1]["values"] == ["550.54.15"]
    with pytest.raises(ExecutionError, match="no node has an NVIDIA driver >= 560"):
        executor.launch(_attempt(accelerator="A100", min_driver_version="560"))


def test_logs_come_from_the_templates_primary_container() -> None:
    class Recording(PodCluster):
        def log_tail(self, pod: str, container: str, lines: int = 40) -> str:
            return f"log of {container}"

    cluster = Recording(PodVerdict(Phase.SUCCEEDED, exit_code=0))
    executor = KubernetesExecutor(make_settings(), cluster=cluster)
    template = {"podSpec": {"containers": [{"name": "main"}]}, "primaryContainerName": "main"}
    handle = executor.launch(_attempt(pod_template=template))
    executor.wait(handle)
    assert executor.logs(handle) == "log of main"
