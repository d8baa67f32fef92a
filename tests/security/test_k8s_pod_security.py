"""Kubernetes task pods get the securityContext that matches the Docker executor's hardening, validated
against the upstream schemas; a pod template's own securityContext and each `executor.task_*` setting
relax it."""

from __future__ import annotations

from typing import Any

from dockyard.kubernetes.task_pod import task_pod
from dockyard.runtime.executor import TaskAttempt
from tests.kubernetes.k8s_helpers import assert_valid, make_settings


def attempt(**kwargs: Any) -> TaskAttempt:
    return TaskAttempt(
        execution_id="e1",
        node_id="n0",
        attempt=0,
        image="r.example/x@sha256:" + "a" * 64,
        command=["run"],
        **kwargs,
    )


def test_task_pods_are_hardened_by_default() -> None:
    pod = task_pod(attempt(), make_settings())
    assert_valid(pod)
    assert pod["spec"]["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 65532,
        "runAsGroup": 65532,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    (container,) = pod["spec"]["containers"]
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
    }
    assert container["workingDir"] == "/tmp"
    assert "hostNetwork" not in pod["spec"]


def test_a_pod_template_says_otherwise() -> None:
    template = {
        "podSpec": {
            "securityContext": {"runAsUser": 0},
            "containers": [{"name": "primary", "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}}],
        },
        "primaryContainerName": "primary",
    }
    pod = task_pod(attempt(pod_template=template), make_settings())
    assert_valid(pod)
    assert pod["spec"]["securityContext"] == {"runAsUser": 0, "seccompProfile": {"type": "RuntimeDefault"}}
    (container,) = pod["spec"]["containers"]
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"add": ["SYS_PTRACE"]},
    }


def test_settings_relax_each_default() -> None:
    settings = make_settings().model_copy(
        update={
            "executor": make_settings().executor.model_copy(
                update={"task_user": "root", "task_drop_capabilities": False, "task_no_new_privileges": False}
            )
        }
    )
    pod = task_pod(attempt(), settings)
    assert_valid(pod)
    assert pod["spec"]["securityContext"] == {"seccompProfile": {"type": "RuntimeDefault"}}
    assert pod["spec"]["containers"][0]["securityContext"] == {}
    custom = make_settings().model_copy(
        update={"executor": make_settings().executor.model_copy(update={"task_user": "1000:100"})}
    )
    assert task_pod(attempt(), custom)["spec"]["securityContext"]["runAsGroup"] == 100
