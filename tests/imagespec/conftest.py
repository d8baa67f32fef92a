"""Helpers for the ImageSpec tests: a project folder on disk and tool versions pinned for golden values."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockyard.config import BuildSettings
from dockyard.imagespec.resolve import ResolvedSpec, Tools
from dockyard.imagespec.runtime_install import RuntimeInstall

GOLDEN = Path(__file__).parent / "golden"
# Golden values must not move when uv is upgraded or any dockyard source changes: pin the tools.
PINNED_TOOLS = Tools(uv="0.9.0", template="1", dockyard=RuntimeInstall(version="1.0.0", source_sha256=None))


def pinned(resolved: ResolvedSpec) -> ResolvedSpec:
    return resolved.model_copy(update={"tools": PINNED_TOOLS})


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    """A small project, made the current directory (relative spec paths resolve against it)."""
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "app" / "main.py").write_text("print('hello')\n")
    (root / "app" / "util.py").write_text("VALUE = 1\n")
    (root / "data.txt").write_text("some data\n")
    (root / "requirements.txt").write_text("six==1.17.0\n-r common.txt\n")
    (root / "common.txt").write_text("# shared pins\nattrs\n")
    old = Path.cwd()
    os.chdir(root)
    try:
        yield root
    finally:
        os.chdir(old)


@pytest.fixture
def settings(tmp_path: Path) -> BuildSettings:
    return BuildSettings(
        registry="localhost:5000",
        default_base_image="localhost:5000/dockyard/debian:bookworm",
        work_dir=tmp_path / "work",
    )
