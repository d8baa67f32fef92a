"""Pure mapping of one `TaskAttempt` to the Pod that runs it on Kubernetes.

Every task option lands here: requests/limits (gpu -> `nvidia.com/gpu`), accelerator (required node affinity
on the GPU product label, plus the GPU toleration), a minimum driver version (affinity on the driver label,
restricted to versions the nodes report), interruptible (spot tolerations and a preferred affinity),
secrets (Kubernetes Secret volumes under `executor.secrets_dir/<group>`), timeout (`activeDeadlineSeconds`)
and `pod_template` (merged, its primary container matched by name). The securityContext hardens the pod as
the Docker executor hardens a container, unless the template says otherwise.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from typing import Any

from packaging.version import InvalidVersion, Version

from dockyard.config import Settings
from dockyard.errors import ExecutionError
from dockyard.kubernetes.naming import dns_name, object_labels
from dockyard.runtime.executor import SecretRef, TaskAttempt
from dockyard.sdk.resources import GPU_RESOURCE, k8s_resource_name

_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
PRIMARY = "primary"  # flytekit's PodTemplate.primary_container_name default
_GPU_TOLERATION = {"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"}
_APPENDED = ("volumes", "tolerations", "initContainers", "imagePullSecrets", "topologySpreadConstraints")


def pod_name(attempt: TaskAttempt) -> str:
    return dns_name("dockyard", attempt.execution_id, attempt.node_id, str(attempt.attempt))


def _resources(values: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in values.items():
        name = k8s_resource_name(key)
        if name is None:
            raise ExecutionError(f"resources.{key}: unknown resource (use cpu, mem, gpu, ephemeral_storage)")
        out[name] = str(value)
    return out


def container_resources(attempt: TaskAttempt) -> dict[str, dict[str, str]]:
    """Requests and limits; a GPU request is also its limit, as Kubernetes requires for extended resources."""
    requests, limits = _resources(attempt.requests), _resources(attempt.limits)
    if GPU_RESOURCE in requests:
        limits.setdefault(GPU_RESOURCE, requests[GPU_RESOURCE])
    if GPU_RESOURCE in limits:
        requests[GPU_RESOURCE] = limits[GPU_RESOURCE]
    return {key: value for key, value in (("requests", requests), ("limits", limits)) if value}


def drivers_at_least(available: list[str], minimum: str) -> list[str]:
    """The driver versions (node label values) that are >= `minimum`, sorted; unparsable ones are skipped."""
    try:
        floor = Version(minimum)
    except InvalidVersion:
        raise ExecutionError(f"min_driver_version: {minimum!r} is not a version") from None
    good: set[str] = set()
    for value in available:
        try:
            if Version(value) >= floor:
                good.add(value)
        except InvalidVersion:
            continue
    return sorted(good)


def secret_name(group: str) -> str:
    """The Kubernetes Secret holding a secret group: the group, lowercased, `_` as `-` (predictable)."""
    name = group.lower().replace("_", "-")
    if len(name) > 253 or not _SUBDOMAIN.fullmatch(name):
        raise ExecutionError(f"secret group {group!r}: {name!r} is not a valid Kubernetes Secret name")
    return name


def secret_env(refs: tuple[SecretRef, ...], settings: Settings) -> list[dict[str, Any]]:
    """flytekit's Secret.env_var / mount_requirement: an env_var-mounted secret comes from its Kubernetes
    Secret (`secretKeyRef`, never a literal value); a file one with an `env_var` name gets the file's path."""
    env: list[dict[str, Any]] = []
    for ref in refs:
        if ref.mount == "env_var":
            selector = {"name": secret_name(ref.group), "key": ref.key or ref.group}
            env.append({"name": ref.env_name, "valueFrom": {"secretKeyRef": selector}})
        elif ref.env_var:
            env.append({"name": ref.env_var, "value": str(settings.executor.secrets_dir.joinpath(*ref.path))})
    return env


def _secret_volumes(
    refs: tuple[SecretRef, ...], settings: Settings
) -> tuple[list[dict[str, Any]], list[Any]]:
    """One Secret volume per group at `<secrets_dir>/<group>`; keys requested one by one become items,
    under their group_version folder when they name one (where the SDK looks)."""
    groups: dict[str, dict[str, str] | None] = {}
    for ref in refs:
        if ref.mount == "env_var":
            continue  # an environment variable only (secret_env)
        keys = groups.get(ref.group, {})
        item = {ref.key: "/".join(ref.path[1:])} if ref.key else {}
        groups[ref.group] = None if ref.key is None or keys is None else keys | item
    volumes, mounts = [], []
    for group, keys in sorted(groups.items()):
        volume = dns_name("secret", group)
        source: dict[str, Any] = {"secretName": secret_name(group)}
        if keys is not None:
            source["items"] = [{"key": key, "path": path} for key, path in sorted(keys.items())]
        volumes.append({"name": volume, "secret": source})
        mounts.append(
            {"name": volume, "mountPath": f"{settings.executor.secrets_dir}/{group}", "readOnly": True}
        )
    return volumes, mounts


def _affinity(attempt: TaskAttempt, settings: Settings, driver_versions: list[str] | None) -> dict[str, Any]:
    kube = settings.kubernetes
    required: list[dict[str, Any]] = []
    if attempt.accelerator:
        required.append({"key": kube.gpu_product_label, "operator": "In", "values": [attempt.accelerator]})
    if attempt.min_driver_version and driver_versions is not None:
        good = drivers_at_least(driver_versions, attempt.min_driver_version)
        if not good:
            raise ExecutionError(
                f"min_driver_version: no node has an NVIDIA driver >= {attempt.min_driver_version} "
                f"(label {kube.gpu_driver_label}: {', '.join(sorted(set(driver_versions))) or 'none'})"
            )
        required.append({"key": kube.gpu_driver_label, "operator": "In", "values": good})
    node: dict[str, Any] = {}
    if required:
        node["requiredDuringSchedulingIgnoredDuringExecution"] = {
            "nodeSelectorTerms": [{"matchExpressions": required}]
        }
    if attempt.interruptible and kube.interruptible_node_labels:
        expressions = [
            {"key": key, "operator": "In", "values": [value]}
            for key, value in sorted(kube.interruptible_node_labels.items())
        ]
        node["preferredDuringSchedulingIgnoredDuringExecution"] = [
            {"weight": 100, "preference": {"matchExpressions": expressions}}
        ]
    return {"nodeAffinity": node} if node else {}


def _merge_named(base: list[dict[str, Any]], top: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Lists of named things (env, volumes, mounts): `top` replaces same-named entries, else appends."""
    ours = {item[key] for item in top}
    return [item for item in base if item.get(key) not in ours] + top


def _merge_container(template: dict[str, Any], ours: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(template)
    for key, value in ours.items():
        if key == "env":
            merged[key] = _merge_named(merged.get(key, []), value, "name")
        elif key == "volumeMounts":
            merged[key] = _merge_named(merged.get(key, []), value, "mountPath")
        elif key == "resources":
            resources = merged.setdefault(key, {})
            for kind, quantities in value.items():
                resources[kind] = {**resources.get(kind, {}), **quantities}
        else:
            merged[key] = value
    return merged


@dataclass(frozen=True)
class PodTemplateParts:
    """A task's pod template, in either form `TaskAttempt.pod_template` may carry."""

    spec: dict[str, Any]
    primary: str = PRIMARY
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, template: dict[str, Any] | None) -> PodTemplateParts:
        """`PodTemplate.to_dict()` (podSpec, primaryContainerName, labels, annotations) or a PodSpec."""
        if not template:
            return cls(spec={})
        if "podSpec" not in template:
            return cls(spec=template)
        return cls(
            spec=template["podSpec"] or {},
            primary=template.get("primaryContainerName") or PRIMARY,
            labels=dict(template.get("labels") or {}),
            annotations=dict(template.get("annotations") or {}),
        )


def merge_pod_template(
    spec: dict[str, Any], template: dict[str, Any], primary: str = PRIMARY
) -> dict[str, Any]:
    """Overlay dockyard's pod spec on a user's PodSpec (camelCase, as `sanitize_for_serialization` writes it).

    The template is the base; the task's own settings win. The template's container named `primary` is
    merged with the task container; its other containers stay as sidecars. Lists of volumes, tolerations
    and the like are combined, and maps (nodeSelector) are merged key by key.
    """
    merged = copy.deepcopy(template)
    for key, value in spec.items():
        if key == "containers":
            (ours,) = value
            found = [c for c in template.get("containers", []) if c.get("name") == primary]
            sidecars = [c for c in template.get("containers", []) if c.get("name") != primary]
            merged[key] = [_merge_container(found[0] if found else {}, ours), *copy.deepcopy(sidecars)]
        elif key in ("volumes", "initContainers", "imagePullSecrets"):
            merged[key] = _merge_named(merged.get(key, []), value, "name")
        elif key in _APPENDED:
            merged[key] = merged.get(key, []) + [item for item in value if item not in merged.get(key, [])]
        elif key == "nodeSelector":
            merged[key] = {**merged.get(key, {}), **value}
        else:
            merged[key] = value
    return merged


def _harden(spec: dict[str, Any], template: PodTemplateParts, settings: Settings) -> None:
    """The securityContext matching the Docker executor's defaults (`executor.task_*`): a non-root user,
    RuntimeDefault seccomp, no privilege escalation, no capabilities. Whatever the pod template's own
    securityContexts say wins, field by field; a template setting runAsUser (0 too) decides the user."""
    executor = settings.executor
    template_pod = dict(template.spec.get("securityContext") or {})
    template_container: dict[str, Any] = {}
    for container in template.spec.get("containers", []):
        if container.get("name") == template.primary:
            template_container = dict(container.get("securityContext") or {})
    pod: dict[str, Any] = {"seccompProfile": {"type": "RuntimeDefault"}}
    user_set = "runAsUser" in template_pod or "runAsUser" in template_container
    if executor.task_user != "root" and not user_set:
        uid, _, gid = executor.task_user.partition(":")
        pod |= {"runAsNonRoot": True, "runAsUser": int(uid), "runAsGroup": int(gid or uid)}
    container_context: dict[str, Any] = {}
    if executor.task_no_new_privileges:
        container_context["allowPrivilegeEscalation"] = False
    if executor.task_drop_capabilities:
        container_context["capabilities"] = {"drop": ["ALL"]}
    spec["securityContext"] = {**pod, **template_pod}
    primary = next(c for c in spec["containers"] if c.get("name") == template.primary)
    primary["securityContext"] = {**container_context, **template_container}
    if "runAsUser" in pod:
        primary.setdefault("workingDir", "/tmp")  # the image's WORKDIR, /root, is root's own


def task_pod(
    attempt: TaskAttempt, settings: Settings, driver_versions: list[str] | None = None
) -> dict[str, Any]:
    """The Pod manifest for one attempt. `driver_versions`: the GPU driver label values of candidate nodes
    (None when unknown, as in a dry run: then no driver affinity is added)."""
    kube = settings.kubernetes
    labels = object_labels(
        kube.labels,
        component="task",
        execution_id=attempt.execution_id,
        node_id=attempt.node_id,
        attempt=str(attempt.attempt),
    )
    template = PodTemplateParts.of(attempt.pod_template)
    volumes, mounts = _secret_volumes(attempt.secrets, settings)
    container: dict[str, Any] = {
        "name": template.primary,
        "image": attempt.image,
        "command": list(attempt.command),
        "env": [{"name": key, "value": value} for key, value in sorted(attempt.env.items())]
        + secret_env(attempt.secrets, settings),
    }
    if kube.env_secret:
        container["envFrom"] = [{"secretRef": {"name": kube.env_secret}}]
    resources = container_resources(attempt)
    if resources:
        container["resources"] = resources
    if mounts:
        container["volumeMounts"] = mounts
        # The entrypoint reads secrets where this client's settings put them, as with the docker executor.
        secrets_env = {"name": "DOCKYARD_EXECUTOR_SECRETS_DIR", "value": str(settings.executor.secrets_dir)}
        container["env"] = _merge_named([secrets_env], container["env"], "name")
    spec: dict[str, Any] = {
        "restartPolicy": "Never",
        "serviceAccountName": attempt.service_account or kube.service_account,
        # The push credentials pull the task image too (a missing Secret only makes kubelet warn).
        "imagePullSecrets": [{"name": kube.registry_secret}],
        "containers": [container],
    }
    if volumes:
        spec["volumes"] = volumes
    if attempt.timeout_s is not None:
        spec["activeDeadlineSeconds"] = max(1, math.ceil(attempt.timeout_s))
    affinity = _affinity(attempt, settings, driver_versions)
    if affinity:
        spec["affinity"] = affinity
    tolerations = []
    if attempt.accelerator or GPU_RESOURCE in resources.get("limits", {}):
        tolerations.append(dict(_GPU_TOLERATION))
    if attempt.interruptible:
        tolerations.extend(dict(t) for t in kube.interruptible_tolerations)
    if tolerations:
        spec["tolerations"] = tolerations
    if template.spec:
        spec = merge_pod_template(spec, template.spec, template.primary)
    _harden(spec, template, settings)
    annotations = {**template.annotations, **attempt.annotations}
    if attempt.interruptible:
        annotations["dockyard.io/interruptible"] = "true"
    if attempt.min_driver_version:
        annotations["dockyard.io/min-driver-version"] = attempt.min_driver_version
    labels = {**template.labels, **attempt.labels, **labels}  # dockyard's own labels win
    metadata: dict[str, Any] = {"name": pod_name(attempt), "namespace": kube.namespace, "labels": labels}
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}
