"""Fixtures for the Flyte interoperability tests: flytekit 1.16.31 in its own venv (the reference), and the
test workflows copied into a package `fwf` twice, once importing dockyard and once importing flytekit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import _unavailable

WORKFLOWS = Path(__file__).parent / "workflows"
IMAGE = "localhost:5000/flyte-differential:1"
FLYTEKIT_VENV = Path(os.environ.get("DOCKYARD_FLYTEKIT_VENV", "/var/lib/dockyard-ci/flytekit-venv"))


@pytest.fixture(scope="session")
def flytekit_python() -> Path:
    python = FLYTEKIT_VENV / "bin" / "python"
    if not python.is_file():
        _unavailable(f"flytekit venv {FLYTEKIT_VENV} is missing")
    return python


def copy_workflows(dest: Path, sdk: str) -> Path:
    """The test workflows as package `fwf` under `dest`, importing `sdk` (dockyard or flytekit)."""
    pkg = dest / "fwf"
    shutil.copytree(WORKFLOWS, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    for path in pkg.glob("*.py"):
        text = (
            path.read_text()
            .replace("from dockyard", f"from {sdk}")
            .replace("import dockyard", f"import {sdk}")
        )
        path.write_text(text)
    return dest


def dockyard_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the dockyard CLI in a fresh interpreter (entities are module-level state)."""
    return subprocess.run(
        [sys.executable, "-c", "from dockyard.cli.main import main; main()", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def pyflyte_archive(tmp_path_factory: pytest.TempPathFactory, flytekit_python: Path) -> Path:
    """`pyflyte package` of the test workflows (package `fwf`): the reference documents."""
    theirs = copy_workflows(tmp_path_factory.mktemp("flytekit"), "flytekit")
    subprocess.run(
        [
            str(flytekit_python.parent / "pyflyte"),
            "--pkgs",
            "fwf",
            "package",
            "--image",
            IMAGE,
            "-f",
            "-o",
            "theirs.tgz",
        ],
        cwd=theirs,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return theirs / "theirs.tgz"
