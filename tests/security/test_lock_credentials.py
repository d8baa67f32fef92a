"""`dockyard lock` against an index that needs a password: uv gets the index through its environment, so
no process's argv holds the credentials, and neither does the lock file; a rotated password keeps the lock
fresh."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from dockyard.config import BuildSettings
from dockyard.imagespec import ImageSpec
from dockyard.imagespec.lock import pip_inputs_digest

from .conftest import ProcWatch
from .probe_index import ProbeIndex, serve, wheel

DOCKYARD = str(Path(sys.executable).parent / "dockyard")
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def test_lock_keeps_index_credentials_out_of_argv_and_the_lock(tmp_path: Path) -> None:
    probe = ProbeIndex(user=f"user-{uuid.uuid4().hex[:8]}", password=f"pw-{uuid.uuid4().hex}")
    name = f"dockyard-sec-lock-{uuid.uuid4().hex[:8]}"
    probe.wheels[name] = wheel(name, "1.0", "X = 1\n")
    with serve(probe):
        spec_file = tmp_path / "spec.yaml"
        spec_file.write_text(
            f"python_version: '3.11'\nplatform: linux/amd64\npackages: ['{name}==1.0']\n"
            f"pip_extra_index_url: ['{probe.url('simple')}']\n"
        )
        env = {**os.environ}
        if CA_BUNDLE.is_file():
            env["DOCKYARD_BUILD_CA_BUNDLE"] = str(CA_BUNDLE)
        with ProcWatch(needles=(probe.password.encode(), probe.user.encode())) as watch:
            result = subprocess.run(
                [DOCKYARD, "lock", str(spec_file), "--no-conda"],
                capture_output=True,
                text=True,
                env=env,
                timeout=300,
            )
    assert result.returncode == 0, result.stderr
    assert watch.saw(b"pip compile")  # uv's argv was read while it ran
    assert watch.hits == []
    assert probe.authorized  # uv reached the index with the password
    lock = (tmp_path / "spec.pip.lock.txt").read_text()
    assert f"{name}==1.0" in lock
    assert probe.password not in lock and probe.user not in lock + result.stdout + result.stderr


def test_a_rotated_password_keeps_the_lock_fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = BuildSettings(work_dir=tmp_path / "work")

    def digest(url: str) -> str:
        return pip_inputs_digest(ImageSpec(python_version="3.11", pip_index=url), settings)

    assert digest("https://u:one@pypi.example/simple") == digest("https://u:two@pypi.example/simple")
    assert digest("https://u:one@pypi.example/simple") != digest("https://u:one@other.example/simple")
