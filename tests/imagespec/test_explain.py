"""`explain`'s comparison of recorded and current inputs, without an image."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dockyard.config import BuildSettings
from dockyard.errors import SpecError
from dockyard.imagespec import ImageSpec, resolve
from dockyard.imagespec.explain import diff_inputs, recorded_inputs
from dockyard.imagespec.prepare import label_inputs, summarize_files


def _inputs(spec: ImageSpec, settings: BuildSettings) -> dict[str, object]:
    return json.loads(json.dumps(label_inputs(resolve(spec, settings))))


def test_same_inputs_explain_nothing(project: Path, settings: BuildSettings) -> None:
    spec = ImageSpec(source_root="app", packages=["six"], platform="linux/amd64")
    assert diff_inputs(_inputs(spec, settings), _inputs(spec, settings)) == []


def test_each_difference_is_one_named_line(project: Path, settings: BuildSettings) -> None:
    old = _inputs(ImageSpec(source_root="app", packages=["six"], platform="linux/amd64"), settings)
    (project / "app" / "main.py").write_text("print('new')\n")
    (project / "app" / "util.py").unlink()
    (project / "app" / "extra.py").write_text("")
    new_spec = ImageSpec(
        source_root="app", packages=["six", "attrs"], platform="linux/amd64", python_version="3.11"
    )
    lines = diff_inputs(old, _inputs(new_spec, settings))
    assert lines[0] == "file /root/extra.py: added"
    assert lines[1].startswith("file /root/main.py: changed (sha256 ")
    assert lines[2] == "file /root/util.py: removed"
    assert 'packages: ["six"] → ["attrs", "six"]' in lines
    assert 'python_version: null → "3.11"' in lines
    assert len(lines) == 5


def test_nested_inputs_are_named_with_dots() -> None:
    old = {"tools": {"uv": "0.5.0", "template": "1"}}
    new = {"tools": {"uv": "0.6.0", "template": "1"}}
    assert diff_inputs(old, new) == ['tools.uv: "0.5.0" → "0.6.0"']


def test_summarised_and_full_file_sets_compare(project: Path, settings: BuildSettings) -> None:
    full = _inputs(ImageSpec(source_root="app", platform="linux/amd64"), settings)
    summary = dict(full, files=summarize_files(full["files"]))  # type: ignore[arg-type]
    assert diff_inputs(summary, full) == []
    (project / "app" / "main.py").write_text("print('new')\n")
    changed = _inputs(ImageSpec(source_root="app", platform="linux/amd64"), settings)
    assert [line.split(" (")[0] for line in diff_inputs(summary, changed)] == ["file /root/main.py: changed"]
    (project / "app" / "pkg").mkdir()
    (project / "app" / "pkg" / "a.py").write_text("")
    grown = _inputs(ImageSpec(source_root="app", platform="linux/amd64"), settings)
    assert "file /root/pkg: added" in diff_inputs(summary, grown)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ({}, "has no dockyard.inputs label"),
        ({"dockyard.inputs": "{"}, "not JSON"),
        ({"dockyard.inputs": "[]"}, "object"),
    ],
)
def test_images_without_usable_inputs_are_named(labels: dict[str, str], message: str) -> None:
    with pytest.raises(SpecError, match=message):
        recorded_inputs(labels, "localhost:5000/x:y")
