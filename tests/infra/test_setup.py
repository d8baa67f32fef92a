"""scripts/setup.sh is idempotent: on a machine it already set up, a re-run starts and installs nothing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.s3]


@pytest.mark.skipif(os.geteuid() != 0, reason="setup.sh installs packages and needs root")
def test_second_run_changes_nothing(
    docker_engine: str, registry: str, s3_server: str, base_image: str
) -> None:
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "setup.sh")], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stderr
    for line in (
        "packages: already installed",
        "dockerd: already answering",
        "registry :5000: already answering",
        "registry :5001: already answering",
        "moto S3 :5900: already answering",
        "debian:bookworm: up to date",
    ):
        assert line in log
    assert "starting" not in log
    assert "pip install" not in log
