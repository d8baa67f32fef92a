"""Explain a cache miss: which hash inputs of a spec differ from those recorded on an existing image.

Every dockyard image carries its inputs in the `dockyard.inputs` label (see `prepare.label_inputs`), so
the comparison needs nothing but that label and the spec.
"""

from __future__ import annotations

import json
from typing import Any

from dockyard.errors import SpecError
from dockyard.imagespec.prepare import is_summary, summarize_files

INPUTS_LABEL = "dockyard.inputs"


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def _files(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    if is_summary(old) != is_summary(new):
        old = old if is_summary(old) else summarize_files(old)
        new = new if is_summary(new) else summarize_files(new)
    lines = []
    for key in sorted(set(old) | set(new)):
        if key not in old:
            lines.append(f"file {key}: added")
        elif key not in new:
            lines.append(f"file {key}: removed")
        elif old[key] != new[key]:
            changed = ", ".join(
                f"{f} {old[key].get(f)} → {new[key].get(f)}"
                for f in new[key]
                if old[key].get(f) != new[key][f]
            )
            lines.append(f"file {key}: changed ({changed})")
    return lines


def diff_inputs(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    """One line per differing input, dotted names for nested ones; empty when the inputs are the same."""
    lines: list[str] = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if key == "files" and not prefix and isinstance(before, dict) and isinstance(after, dict):
            lines += _files(before, after)
        elif isinstance(before, dict) and isinstance(after, dict):
            lines += diff_inputs(before, after, f"{prefix}{key}.")
        else:
            lines.append(f"{prefix}{key}: {_short(before)} → {_short(after)}")
    return lines


def recorded_inputs(labels: dict[str, str], image: str) -> dict[str, Any]:
    """The inputs recorded on an image, or an error naming the image when it has none."""
    raw = labels.get(INPUTS_LABEL)
    if raw is None:
        raise SpecError(f"{image}: has no {INPUTS_LABEL} label (not built by dockyard)")
    try:
        data = json.loads(raw)
    except ValueError:
        raise SpecError(f"{image}: its {INPUTS_LABEL} label is not JSON") from None
    if not isinstance(data, dict):
        raise SpecError(f"{image}: its {INPUTS_LABEL} label is not a JSON object")
    return data
