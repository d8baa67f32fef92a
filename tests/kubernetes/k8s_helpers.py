"""Helpers for the Kubernetes tests: fixed settings, schema validation, golden files.

No cluster runs here, so manifests are checked against the upstream OpenAPI schemas that
`kubernetes-validate` ships (strict: unknown fields fail) for every minor version dockyard supports.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from dockyard.config import Settings, load_settings

# The build Job sets securityContext.appArmorProfile (GA in 1.30), so 1.30 is the oldest supported minor.
K8S_VERSIONS = ["1.30", "1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37"]
GOLDEN = Path(__file__).parent / "golden"


def assert_valid(manifest: dict[str, Any]) -> None:
    """Validate one manifest against every supported Kubernetes minor, strictly."""
    for version in K8S_VERSIONS:
        try:
            kubernetes_validate.validate(manifest, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            where = ".".join(str(part) for part in exc.path)
            pytest.fail(f"{manifest['kind']} invalid for Kubernetes {version}: {where}: {exc.message}")


def check_golden(name: str, text: str) -> None:
    """Compare with tests/kubernetes/golden/<name>; `UPDATE_GOLDEN=1` rewrites it instead."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text)
    assert path.is_file(), f"{path} missing: run with UPDATE_GOLDEN=1 and review the diff"
    assert text == path.read_text(), f"{name} differs from the golden file (UPDATE_GOLDEN=1 to accept)"


def make_settings(**kubernetes: Any) -> Settings:
    """Settings independent of the machine: an s3 store, a team namespace and label, given overrides."""
    overrides = {
        "store": {"url": "s3://dockyard-artifacts/prod"},
        "kubernetes": {"namespace": "ml", "labels": {"team": "vision"}, **kubernetes},
    }
    return load_settings(overrides, project_dir=Path("/nonexistent"), environ={})


# A user pod_template (a serialized V1PodSpec) with a primary container, a sidecar and scheduling fields.
TEMPLATE: dict[str, Any] = {
    "containers": [
        {
            "name": "primary",
            "image": "ignored:latest",
            "env": [{"name": "FROM_TEMPLATE", "value": "1"}, {"name": "PYTHONUNBUFFERED", "value": "0"}],
            "resources": {"limits": {"memory": "32Gi"}, "requests": {"cpu": "1"}},
            "volumeMounts": [{"name": "dshm", "mountPath": "/dev/shm"}],
        },
        {"name": "sidecar", "image": "fluent/fluent-bit:3.1"},
    ],
    "volumes": [{"name": "dshm", "emptyDir": {"medium": "Memory"}}],
    "tolerations": [{"key": "team", "operator": "Equal", "value": "vision", "effect": "NoSchedule"}],
    "nodeSelector": {"pool": "training"},
    "priorityClassName": "high",
    "serviceAccountName": "from-template",
}
