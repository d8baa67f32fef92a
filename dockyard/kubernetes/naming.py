"""Names, labels and serialisation shared by every Kubernetes object dockyard creates (builds and tasks).

Kubernetes names are DNS labels (63 characters, [a-z0-9-]) and label values have their own grammar; image
tags, node ids and execution ids do not, so everything that becomes a name or label passes through here.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

MANAGED_BY = {"app.kubernetes.io/managed-by": "dockyard"}


def dns_name(*parts: str, max_len: int = 63) -> str:
    """A DNS-1123 label from `parts`; a cut or changed name gets a short hash so it stays unique."""
    raw = "-".join(parts)
    clean = re.sub(r"[^a-z0-9-]+", "-", raw.lower()).strip("-")
    clean = re.sub(r"-{2,}", "-", clean)
    if clean == raw and len(clean) <= max_len:
        return clean
    suffix = hashlib.sha256(raw.encode()).hexdigest()[:8]
    return f"{clean[: max_len - 9].rstrip('-')}-{suffix}"


def label_value(text: str) -> str:
    """A valid label value: at most 63 of [A-Za-z0-9-_.], starting and ending alphanumeric."""
    clean = re.sub(r"[^A-Za-z0-9._-]+", "-", text)[:63]
    return re.sub(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "", clean)


_NAME = r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)"
_KEY = re.compile(
    rf"(?:(?P<prefix>[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)/)?(?P<name>{_NAME})"
)
_VALUE = re.compile(rf"{_NAME}?")


def check_metadata(labels: dict[str, str], annotations: dict[str, str]) -> None:
    """Refuse what Kubernetes would refuse on a pod: keys are `[prefix/]name` (a DNS subdomain of at most
    253, a name of at most 63 of [A-Za-z0-9-_.] starting and ending alphanumeric); label values follow the
    name's grammar (empty allowed); annotation values are free text."""
    from dockyard.errors import ConfigError

    for flag, items in (("--labels", labels), ("--annotations", annotations)):
        for key, value in items.items():
            match = _KEY.fullmatch(key)
            if match is None or len(match["name"]) > 63 or len(match["prefix"] or "") > 253:
                raise ConfigError(
                    f"{flag} {key}: not a Kubernetes key ([prefix/]name, name: 63 of [A-Za-z0-9-_.])"
                )
            if flag == "--labels" and (len(value) > 63 or not _VALUE.fullmatch(value)):
                raise ConfigError(
                    f"--labels {key}={value}: not a Kubernetes label value (63 of [A-Za-z0-9-_.], "
                    "starting and ending alphanumeric)"
                )


def object_labels(extra: dict[str, str], **own: str) -> dict[str, str]:
    """Labels on every object: managed-by, the object's own `dockyard.io/<key>` labels, then the settings'."""
    labels = dict(MANAGED_BY)
    labels.update({f"dockyard.io/{key.replace('_', '-')}": label_value(value) for key, value in own.items()})
    labels.update(extra)
    return labels


def to_manifest(obj: Any) -> dict[str, Any]:
    """A kubernetes.client model as the plain dict `kubectl apply` takes (camelCase keys, no nulls)."""
    from kubernetes.client import ApiClient

    result: dict[str, Any] = ApiClient().sanitize_for_serialization(obj)
    return result


def _block_strings(dumper: Any, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def to_yaml(manifests: list[dict[str, Any]]) -> str:
    """Manifests as one multi-document YAML stream (keys sorted, scripts as block scalars), for dry runs."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True  # a shared labels dict is written out each time, not as &id001 / *id001

    _Dumper.add_representer(str, _block_strings)
    return yaml.dump_all(manifests, Dumper=_Dumper, sort_keys=True, default_flow_style=False)
