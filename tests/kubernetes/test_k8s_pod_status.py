"""Pod statuses (written as the API server reports them) classified into verdicts, outcomes and messages.

No API server runs here, so the pods are `V1Pod` objects built by hand from recorded statuses.
"""

from __future__ import annotations

from typing import Any

import pytest
from k8s_helpers import make_settings
from kubernetes.client import (
    V1ContainerState,
    V1ContainerStateRunning,
    V1ContainerStateTerminated,
    V1ContainerStateWaiting,
    V1ContainerStatus,
    V1ObjectMeta,
    V1Pod,
    V1PodCondition,
    V1PodStatus,
)
from kubernetes.client.exceptions import ApiException

from dockyard.errors import BuildError
from dockyard.kubernetes.builder import explain_failure, read_metadata
from dockyard.kubernetes.cluster import api_error_message
from dockyard.kubernetes.executor import outcome_of
from dockyard.kubernetes.pod_status import PodVerdict, classify_pod
from dockyard.runtime.phase import Phase


def _status(
    name: str, state: V1ContainerState, image: str = "moby/buildkit:v0.16.0-rootless"
) -> V1ContainerStatus:
    return V1ContainerStatus(name=name, image=image, image_id="", ready=False, restart_count=0, state=state)


def _pod(
    phase: str, *, containers: Any = None, init: Any = None, conditions: Any = None, **status: Any
) -> V1Pod:
    return V1Pod(
        metadata=V1ObjectMeta(name="p"),
        status=V1PodStatus(
            phase=phase,
            container_statuses=containers,
            init_container_statuses=init,
            conditions=conditions,
            **status,
        ),
    )


def _waiting(reason: str, message: str = "") -> V1ContainerState:
    return V1ContainerState(waiting=V1ContainerStateWaiting(reason=reason, message=message))


def _terminated(code: int, reason: str = "Error", message: str | None = None) -> V1ContainerState:
    return V1ContainerState(
        terminated=V1ContainerStateTerminated(exit_code=code, reason=reason, message=message)
    )


def test_pending_and_running() -> None:
    assert classify_pod(_pod("Pending")) == PodVerdict(Phase.PENDING)
    creating = _pod("Pending", containers=[_status("primary", _waiting("ContainerCreating"))])
    assert classify_pod(creating).state is Phase.PENDING
    running = _pod(
        "Running", containers=[_status("primary", V1ContainerState(running=V1ContainerStateRunning()))]
    )
    verdict = classify_pod(running)
    assert verdict.state is Phase.RUNNING and not verdict.final


def test_succeeded() -> None:
    pod = _pod("Succeeded", containers=[_status("primary", _terminated(0, "Completed"))])
    assert classify_pod(pod) == PodVerdict(Phase.SUCCEEDED, exit_code=0)


def test_failed_step_keeps_exit_code_and_message() -> None:
    pod = _pod(
        "Failed", containers=[_status("buildkit", _terminated(1, "Error", "process did not complete"))]
    )
    verdict = classify_pod(pod)
    assert verdict.final and verdict.state is Phase.FAILED and verdict.exit_code == 1
    assert verdict.message == "container buildkit exited with code 1 (Error): process did not complete"


def test_failed_init_container_is_named() -> None:
    pod = _pod(
        "Failed",
        init=[_status("fetch-context", _terminated(22), image="curlimages/curl:8.11.0")],
        containers=[_status("buildkit", _waiting("PodInitializing"))],
    )
    verdict = classify_pod(pod)
    assert verdict.state is Phase.FAILED
    assert verdict.message.startswith("init container fetch-context exited with code 22")


def test_oom_killed() -> None:
    pod = _pod("Failed", containers=[_status("primary", _terminated(137, "OOMKilled"))])
    verdict = classify_pod(pod)
    assert verdict.state is Phase.FAILED and verdict.exit_code == 137
    assert "out of memory" in verdict.message


def test_builder_image_pull_backoff() -> None:
    pod = _pod(
        "Pending",
        containers=[
            _status(
                "buildkit", _waiting("ImagePullBackOff", 'Back-off pulling image "mirror.local/buildkit:x"')
            )
        ],
    )
    verdict = classify_pod(pod)
    assert verdict.final and verdict.state is Phase.FAILED and verdict.cause == "image_pull"
    assert "image moby/buildkit:v0.16.0-rootless cannot be pulled (ImagePullBackOff)" in verdict.message
    message = explain_failure(verdict, "", make_settings())
    assert "kubernetes.buildkit_image" in message


def test_init_container_err_image_pull() -> None:
    pod = _pod("Pending", init=[_status("fetch-context", _waiting("ErrImagePull", "not found"))])
    assert classify_pod(pod).cause == "image_pull"


def test_missing_secret_is_a_config_error() -> None:
    message = 'secret "dockyard-registry" not found'
    pod = _pod("Pending", containers=[_status("buildkit", _waiting("CreateContainerConfigError", message))])
    verdict = classify_pod(pod)
    assert verdict.final and verdict.state is Phase.FAILED and verdict.cause == "config"
    assert 'secret "dockyard-registry" not found' in verdict.message


def test_unschedulable_is_not_final_by_itself() -> None:
    condition = V1PodCondition(
        type="PodScheduled",
        status="False",
        reason="Unschedulable",
        message="0/3 nodes are available: 3 Insufficient nvidia.com/gpu.",
    )
    verdict = classify_pod(_pod("Pending", conditions=[condition]))
    assert verdict.state is Phase.PENDING and verdict.cause == "unschedulable" and not verdict.final
    assert "Insufficient nvidia.com/gpu" in verdict.message
    assert outcome_of(verdict).phase is Phase.FAILED


def test_deadline_exceeded_is_a_timeout() -> None:
    pod = _pod(
        "Failed",
        reason="DeadlineExceeded",
        message="Pod was active on the node longer than the specified deadline",
    )
    verdict = classify_pod(pod)
    assert verdict.state is Phase.TIMED_OUT
    assert outcome_of(verdict).phase is Phase.TIMED_OUT


def test_preemption_and_eviction_are_system_errors() -> None:
    preempted = _pod(
        "Failed",
        conditions=[
            V1PodCondition(
                type="DisruptionTarget",
                status="True",
                reason="PreemptionByScheduler",
                message="Preempted in order to admit critical pod",
            )
        ],
        containers=[_status("primary", _terminated(137))],
    )
    evicted = _pod("Failed", reason="Evicted", message="The node was low on resource: memory.")
    shutdown = _pod(
        "Failed", reason="Terminated", message="Pod was terminated in response to imminent node shutdown."
    )
    for pod in (preempted, evicted, shutdown):
        verdict = classify_pod(pod)
        assert verdict.state is Phase.PREEMPTED, pod.status
        outcome = outcome_of(verdict)
        assert outcome.phase is Phase.PREEMPTED


def test_outcome_of_failure_carries_the_log_tail() -> None:
    verdict = PodVerdict(Phase.FAILED, "container primary exited with code 3 (Error)", 3)
    outcome = outcome_of(verdict, "Traceback…\nValueError: bad input\n")
    assert outcome.phase is Phase.FAILED and outcome.exit_code == 3
    assert outcome.message.endswith("ValueError: bad input")
    assert outcome_of(PodVerdict(Phase.SUCCEEDED, exit_code=0)).phase is Phase.SUCCEEDED


def test_registry_auth_failure_in_the_build_log() -> None:
    verdict = PodVerdict(Phase.FAILED, "container buildkit exited with code 1 (Error)", 1)
    tail = (
        "#12 exporting to image\n"
        "error: failed to solve: failed to push registry.example.com/ml/train:5f2c: "
        "server message: insufficient_scope: authorization failed"
    )
    message = explain_failure(verdict, tail, make_settings())
    assert "registry refused the credentials: check Secret ml/dockyard-registry" in message
    assert message.endswith("authorization failed")


def test_api_errors_are_one_line_and_say_what_to_do() -> None:
    forbidden = api_error_message(ApiException(status=403, reason="Forbidden"), "creating Job ml/x")
    assert "forbids creating Job ml/x (403 Forbidden)" in forbidden and "deploy/rbac.yaml" in forbidden
    unauthorized = api_error_message(ApiException(status=401, reason="Unauthorized"), "listing pods")
    assert "rejected the credentials (401" in unauthorized and "kubernetes.context" in unauthorized
    assert "\n" not in forbidden + unauthorized
    assert "500 Internal" in api_error_message(ApiException(status=500, reason="Internal Server Error"), "x")


def test_metadata_line_gives_the_digest() -> None:
    digest = "sha256:" + "1" * 64
    lines = ["#1 ...", f'dockyard-build-metadata: {{"containerimage.digest": "{digest}"}}']
    assert read_metadata(lines)["containerimage.digest"] == digest
    with pytest.raises(BuildError, match="no BuildKit metadata"):
        read_metadata(["#1 done"])
