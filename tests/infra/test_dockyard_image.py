"""dockyard's own image (top-level Dockerfile): it builds from a wheel of this checkout and its CLI runs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "localhost:5000/dockyard/dockyard-test:latest"

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.fixture(scope="session")
def dockyard_image(base_image: str) -> str:
    """Build the image once per session (loaded into the local store, not pushed)."""
    build = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build-dockyard-image.sh"), IMAGE],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "BASE_IMAGE": base_image},
    )
    assert build.returncode == 0, build.stderr[-3000:]
    assert build.stdout.strip() == IMAGE
    return IMAGE


def test_cli_runs_in_image(dockyard_image: str) -> None:
    result = subprocess.run(
        ["docker", "run", "--rm", dockyard_image, "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Usage" in result.stdout


def test_runtime_entrypoint_and_no_secret_in_image(dockyard_image: str) -> None:
    script = (
        "command -v dockyard-execute && test ! -e /run/secrets/ca"
        " && python -c 'import dockyard; print(dockyard.__file__)'"
    )
    result = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "sh", dockyard_image, "-c", script],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.split()
    assert lines[0] == "/opt/dockyard/bin/dockyard-execute"
    assert lines[1].startswith("/opt/dockyard/lib/")
