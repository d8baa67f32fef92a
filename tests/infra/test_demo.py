"""The README's first command: scripts/demo.sh builds and pushes examples/hello, then runs it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]


@pytest.mark.skipif(os.geteuid() != 0, reason="demo.sh runs setup.sh, which needs root")
def test_demo_builds_pushes_and_runs_the_example(base_image: str) -> None:
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "demo.sh")], capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert '"image_ref": "localhost:5000/hello@sha256:' in out
    assert "requests " in out and ": hello from dockyard" in out  # PyPI package imported and used
    assert "curl " in out.split("requests ", 1)[1]  # the apt tool answered too
    assert out.count("hello from dockyard") == 2
