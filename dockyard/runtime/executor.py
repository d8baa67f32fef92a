"""The Executor interface: how the orchestrator runs one task attempt on a backend (docker, kubernetes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from dockyard.runtime.phase import Phase
from dockyard.sdk.reuse import ReusePolicy


@dataclass(frozen=True)
class SecretRef:
    group: str
    key: str | None = None
    group_version: str | None = None
    env_var: str | None = None  # flytekit's Secret.env_var: the value (mount env_var) or the file's path
    mount: str = "any"  # flytekit's Secret.mount_requirement: any | env_var | file

    @property
    def path(self) -> tuple[str, ...]:
        """The secret's file under the secrets folder (`sdk.context.secret_path`)."""
        from dockyard.sdk.context import secret_path

        return secret_path(self.group, self.key, self.group_version)

    @property
    def env_name(self) -> str:
        """The variable set for it: its `env_var`, else (mounted as env_var) flytekit's `_FSEC_GROUP_KEY`."""
        from dockyard.sdk.context import ENV_PREFIX, SecretsManager

        return self.env_var or ENV_PREFIX + SecretsManager.env_name(self.group, self.key, self.group_version)

    @classmethod
    def of(cls, secret: Any) -> SecretRef:
        """From a task's `Secret` request, keeping its version, env_var and mount requirement."""
        mount = getattr(secret.mount_requirement, "name", "ANY").lower()
        return cls(secret.group, secret.key, secret.group_version, secret.env_var, mount)


@dataclass(frozen=True)
class TaskAttempt:
    """One attempt of one task node, fully resolved: the image is pinned by digest (`repo@sha256:…`)."""

    execution_id: str
    node_id: str
    attempt: int
    image: str
    command: list[str]  # runs `dockyard-execute …` inside the image
    env: dict[str, str] = field(default_factory=dict)
    requests: dict[str, str] = field(default_factory=dict)  # cpu, mem, gpu, ephemeral_storage (k8s units)
    limits: dict[str, str] = field(default_factory=dict)
    accelerator: str | None = None  # GPU product name, e.g. "nvidia-tesla-a100"
    interruptible: bool = False
    timeout_s: float | None = None
    secrets: tuple[SecretRef, ...] = ()
    pod_template: dict[str, Any] | None = None  # a serialized V1PodSpec (Kubernetes only)
    min_driver_version: str | None = None  # from the image's CUDA label, checked before placement
    labels: dict[str, str] = field(default_factory=dict)  # the run's --labels (container labels, pod labels)
    annotations: dict[str, str] = field(default_factory=dict)  # the run's --annotations
    service_account: str | None = None  # the run's --service-account (Kubernetes only)
    reuse: ReusePolicy | None = None  # the task's warm containers (Docker only; docs/reuse.md)


@dataclass(frozen=True)
class Outcome:
    phase: Phase
    exit_code: int | None
    message: str = ""


class Executor(Protocol):
    """A backend that runs task attempts. Handles are backend-specific and opaque to the orchestrator."""

    name: str

    def launch(self, attempt: TaskAttempt) -> Any: ...

    def wait(self, handle: Any) -> Outcome: ...

    def logs(self, handle: Any) -> str: ...

    def cancel(self, handle: Any) -> None: ...

    def remove_execution(self, execution_id: str) -> dict[tuple[str, int], str]:
        """Remove what an execution whose driver is gone left running; the logs it could keep, by
        (node, attempt)."""
        ...


def template_run_as(pod_template: dict[str, Any] | None) -> tuple[int | None, int | None]:
    """(runAsUser, runAsGroup) a task's pod template sets, its primary container's over the pod's.

    Both backends honour it: a template that says "run as root" (0) is the documented way to relax the
    non-root default for one task."""
    if not pod_template:
        return None, None
    spec = pod_template.get("podSpec", pod_template) or {}
    primary = pod_template.get("primaryContainerName") or "primary"
    contexts = [spec.get("securityContext") or {}]
    contexts += [
        c.get("securityContext") or {} for c in spec.get("containers", []) if c.get("name") == primary
    ]
    user = group = None
    for context in contexts:
        user = context.get("runAsUser", user)
        group = context.get("runAsGroup", group)
    return user, group
