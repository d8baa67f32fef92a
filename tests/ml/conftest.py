"""Fixtures for the ML-environment tests: settings and a scratch project made the current directory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockyard.config import BuildSettings

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def settings(tmp_path: Path) -> BuildSettings:
    return BuildSettings(
        registry="localhost:5000",
        default_base_image="registry.example:5000/dockyard/debian:bookworm",
        work_dir=tmp_path / "work",
    )


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "project"
    root.mkdir()
    old = Path.cwd()
    os.chdir(root)
    try:
        yield root
    finally:
        os.chdir(old)
