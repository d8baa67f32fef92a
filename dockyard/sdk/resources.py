"""Per-task compute requests: `Resources` and `PodTemplate`, as flytekit 1.16 spells them.

Local runs record them and do not enforce them (as flytekit does); the Kubernetes executor turns them
into the pod's resources and spec. Quantities are checked when the task is declared, so `mem="16GB"`
fails at import instead of at pod creation. `kubernetes` is imported only when a PodTemplate is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, Literal

from dockyard.errors import DockyardError


class ResourceError(DockyardError, ValueError):
    """A resource request or pod template is malformed; also a ValueError, as in flytekit."""

    exit_code = 2


# A Kubernetes quantity: a non-negative decimal with a binary (Ki..Ei), decimal (n..E) or exponent suffix.
_QUANTITY = re.compile(r"\+?(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][-+]?\d+)?")
_SUFFIX = {f"{p}i": Decimal(1024) ** (n + 1) for n, p in enumerate("KMGTPE")}
_SUFFIX |= {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "k": Decimal(1000)}
_SUFFIX |= {p: Decimal(1000) ** (n + 2) for n, p in enumerate("MGTPE")}
GPU_RESOURCE = "nvidia.com/gpu"
# The one mapping from `Resources` fields to Kubernetes resource names; the Kubernetes spellings (and
# flytekit's older `storage`) are accepted where settings or executors name resources directly.
K8S_NAMES = {"cpu": "cpu", "mem": "memory", "gpu": GPU_RESOURCE, "ephemeral_storage": "ephemeral-storage"}
_ALIASES = {"memory": "memory", "storage": "ephemeral-storage", "ephemeral-storage": "ephemeral-storage"}


def k8s_resource_name(key: str) -> str | None:
    """The Kubernetes name of a resource given as a `Resources` field or a Kubernetes name, else None."""
    return K8S_NAMES.get(key) or _ALIASES.get(key) or (key if key == GPU_RESOURCE else None)


def quantity_value(name: str, value: Quantity) -> Decimal:
    """A quantity's number (`"512Mi"` -> 536870912, `"500m"` -> 0.5), by the grammar `Resources` checks.

    Executors that are not Kubernetes (Docker) use it, so a quantity means the same on every backend and a
    spelling Kubernetes would refuse (`512ki`) is refused here too, naming the resource.
    """
    text = str(value).strip()
    match = _QUANTITY.fullmatch(text)
    if isinstance(value, bool) or not match:
        raise ResourceError(f"{name}: {value!r} is not a Kubernetes quantity (e.g. '4', '500m', '16Gi')")
    suffix = match.group(3) or ""
    number = Decimal(text[: len(text) - len(suffix)].lstrip("+") or "0")
    if suffix in _SUFFIX:
        return number * _SUFFIX[suffix]
    return number * Decimal(10) ** int(suffix[1:] or "0")


Quantity = str | int | float
ResourceValue = Quantity | tuple[Quantity, Quantity]


def _quantity(name: str, value: Any) -> Quantity:
    """Check one quantity; GPUs are whole devices, so only integers are accepted for `gpu`."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ResourceError(f"Resources.{name}: expected a str, int or float, got {type(value).__name__}")
    text = str(value).strip()
    if name == "gpu":
        if not text.lstrip("+").isdigit():
            raise ResourceError(f"Resources.gpu: {value!r} is not a whole number of GPUs")
    elif not _QUANTITY.fullmatch(text):
        raise ResourceError(
            f"Resources.{name}: {value!r} is not a Kubernetes quantity (e.g. '4', '500m', '16Gi')"
        )
    return value


@dataclass(frozen=True)
class Resources:
    """CPU, memory, GPU and ephemeral storage; a `(request, limit)` pair is accepted as in flytekit 1.16."""

    cpu: ResourceValue | None = None
    mem: ResourceValue | None = None
    gpu: ResourceValue | None = None
    ephemeral_storage: ResourceValue | None = None

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if value is None:
                continue
            if isinstance(value, list | tuple):
                if len(value) != 2:
                    raise ResourceError(f"Resources.{item.name}: a (request, limit) pair has two values")
                checked: ResourceValue = (_quantity(item.name, value[0]), _quantity(item.name, value[1]))
            else:
                checked = _quantity(item.name, value)
            object.__setattr__(self, item.name, checked)

    def to_k8s(self, part: Literal["request", "limit"] = "request") -> dict[str, str]:
        """The Kubernetes `resources` map; from a (request, limit) pair, the part asked for."""
        out: dict[str, str] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, tuple):
                value = value[0 if part == "request" else 1]
            if value is not None:
                out[K8S_NAMES[item.name]] = str(value)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The recorded form: the fields that are set, pairs as lists."""
        return {
            item.name: list(value) if isinstance(value, tuple) else value
            for item in fields(self)
            if (value := getattr(self, item.name)) is not None
        }


def _string_map(name: str, value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ResourceError(f"PodTemplate.{name}: expected a dict of strings")
    return dict(value)


@dataclass
class PodTemplate:
    """A pod spec to start task pods from; the task runs in the container named `primary_container_name`."""

    pod_spec: Any = None
    primary_container_name: str = "primary"
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from kubernetes.client import V1PodSpec  # lazily: only pod templates need the kubernetes client

        if self.pod_spec is None:
            self.pod_spec = V1PodSpec(containers=[])
        elif not isinstance(self.pod_spec, V1PodSpec):
            raise ResourceError(
                f"PodTemplate.pod_spec: expected a V1PodSpec, got {type(self.pod_spec).__name__}"
            )
        if not isinstance(self.primary_container_name, str) or not self.primary_container_name:
            raise ResourceError("PodTemplate.primary_container_name: a primary container name is required")
        self.labels = _string_map("labels", self.labels)
        self.annotations = _string_map("annotations", self.annotations)

    def to_dict(self) -> dict[str, Any]:
        """The template as Kubernetes JSON (camelCase keys), for recording and for the pod manifest."""
        from kubernetes.client import ApiClient

        return {
            "podSpec": ApiClient().sanitize_for_serialization(self.pod_spec),
            "primaryContainerName": self.primary_container_name,
            "labels": self.labels,
            "annotations": self.annotations,
        }
