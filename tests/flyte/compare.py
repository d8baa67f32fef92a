"""Field-by-field comparison of two packages of FlyteIDL documents (dockyard's and pyflyte's).

Ignored, because they must differ: the container image, the container args (the command that starts the
task), version strings (entity ids and the SDK runtime), and the value of flytekit's `_F_SS_C` variable
(its serialization settings, which encode the image). Order-free lists are compared sorted: upstream node
ids, resource entries and sub-workflows.
"""

from __future__ import annotations

import tarfile
from pathlib import Path
from typing import Any

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from google.protobuf import json_format

KINDS = {"1": task_pb2.TaskSpec, "2": workflow_pb2.WorkflowSpec, "3": launch_plan_pb2.LaunchPlan}


def read_archive(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """(kind, name) -> the document as a dict, from a package archive."""
    docs: dict[tuple[str, str], dict[str, Any]] = {}
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            if not member.name.endswith(".pb"):
                continue
            stem = member.name[: -len(".pb")]
            kind = stem.rsplit("_", 1)[1]
            name = stem.split("_", 1)[1].rsplit("_", 1)[0]
            message = KINDS[kind]()
            message.ParseFromString(tar.extractfile(member).read())  # type: ignore[union-attr]
            docs[(kind, name)] = normalize(json_format.MessageToDict(message))
    return docs


def normalize(doc: Any, key: str = "") -> Any:
    if isinstance(doc, dict):
        out = {}
        for k, v in doc.items():
            if k in ("image", "args", "version") and isinstance(v, str | list):
                continue
            if k == "env" and isinstance(v, list):
                v = [e if e.get("key") != "_F_SS_C" else {"key": "_F_SS_C"} for e in v]
            out[k] = normalize(v, k)
        return out
    if isinstance(doc, list):
        items = [normalize(i, key) for i in doc]
        if key in ("upstreamNodeIds", "requests", "limits", "subWorkflows"):
            items = sorted(items, key=repr)
        return items
    return doc


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Every path where `a` and `b` differ, with both values."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: dockyard={a.get(k)!r} flytekit={b.get(k)!r}")
            else:
                out.extend(differences(a[k], b[k], f"{path}.{k}"))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in differences(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [f"{path}: dockyard={a!r} flytekit={b!r}"]
