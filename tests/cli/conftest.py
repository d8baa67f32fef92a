"""Helpers of the CLI tests: a multi-module project copied per test, and the CLI run as a user runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).parent / "project"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
DOCKYARD = [sys.executable, "-c", "from dockyard.cli.main import main; main()"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of the test project: mypkg/flows.py imports mypkg.utils; the root has no __init__."""
    root = tmp_path / "proj"
    shutil.copytree(PROJECT, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DOCKYARD_STORE_URL": f"file://{tmp_path}/store", **extra}
    env["DOCKYARD_BUILD_WORK_DIR"] = str(tmp_path / "build")
    if CA_BUNDLE.is_file():  # package indexes behind a TLS-intercepting proxy
        env["DOCKYARD_BUILD_CA_BUNDLE"] = str(CA_BUNDLE)
    return env


def dockyard(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """The CLI with its output piped (not a terminal): what CI sees."""
    return subprocess.run(
        [*DOCKYARD, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
