"""The Debian-made base image that scripts/setup.sh pushes: Python with venv, UTF-8, and a cheap re-run."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.docker, pytest.mark.registry]


def test_base_image_has_python_venv_and_utf8(base_image: str, tmp_path: Path) -> None:
    script = (
        "python3 -m venv /tmp/v && /tmp/v/bin/python -c "
        "'import sys, locale; print(sys.version_info[:2], locale.getpreferredencoding())'"
    )
    result = subprocess.run(
        ["docker", "run", "--rm", base_image, "sh", "-c", script], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(3, 11) UTF-8"


@pytest.mark.skipif(os.geteuid() != 0, reason="base-image.sh runs debootstrap and needs root")
def test_base_image_script_is_idempotent(base_image: str) -> None:
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "base-image.sh"), "bookworm"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stderr
