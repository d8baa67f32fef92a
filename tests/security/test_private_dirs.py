"""Secrets folders: 0700 under the per-user runtime folder, gone after every exit, SIGKILL included."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from dockyard import private_dirs
from dockyard.errors import ConfigError

DOCKYARD = str(Path(sys.executable).parent / "dockyard")


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    xdg = tmp_path / "run"
    xdg.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(xdg))
    return xdg / "dockyard"


def test_a_private_dir_is_0700_in_a_0700_per_user_root_and_removed_on_exit(runtime: Path) -> None:
    with private_dirs.private_dir("build") as folder:
        assert folder.parent == runtime
        assert stat.S_IMODE(runtime.stat().st_mode) == 0o700 and runtime.stat().st_uid == os.getuid()
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert folder.name.startswith(f"build-{os.getpid()}-")
        (folder / "secret").write_text("x")
    assert not folder.exists()
    with pytest.raises(RuntimeError), private_dirs.private_dir("task") as other:
        raise RuntimeError("boom")
    assert not other.exists()


def test_a_root_others_can_reach_is_refused(runtime: Path) -> None:
    runtime.mkdir(mode=0o755)
    runtime.chmod(0o755)
    with pytest.raises(ConfigError, match="mode 0700"):
        private_dirs.runtime_root()


def _holder(kind: str, runtime_env: dict[str, str]) -> tuple[subprocess.Popen[str], Path]:
    """A dockyard process that made a private folder, wrote a secret in it, and now waits."""
    code = (
        "import sys, time; from dockyard import private_dirs\n"
        f"f = private_dirs.create({kind!r}); (f / 'token').write_text('s3cret')\n"
        "print(f, flush=True); time.sleep(600)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        text=True,
        env=runtime_env,
        start_new_session=True,
    )
    assert proc.stdout is not None
    return proc, Path(proc.stdout.readline().strip())


def test_a_folder_left_by_a_killed_process_is_swept_by_the_next_command(runtime: Path) -> None:
    env = dict(os.environ)
    killed, left = _holder("task", env)
    alive, kept = _holder("build", env)
    try:
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait(10)
        assert (left / "token").read_text() == "s3cret"  # SIGKILL runs no clean-up: the folder stays
        result = subprocess.run(
            [DOCKYARD, "build", "--help"], capture_output=True, text=True, env=env, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert not left.exists()  # its owner is gone: swept
        assert (kept / "token").is_file()  # its owner is alive: kept
    finally:
        os.killpg(alive.pid, signal.SIGKILL)
        alive.wait(10)


def test_a_reused_pid_does_not_keep_a_dead_folder(runtime: Path) -> None:
    root = private_dirs.runtime_root()
    # Our own pid, but another start time: the process that made it is gone, and the pid was reused.
    stale = root / f"build-{os.getpid()}-1-{uuid.uuid4().hex[:8]}"
    stale.mkdir(mode=0o700)
    assert private_dirs.sweep() == [stale] and not stale.exists()


def test_a_real_build_killed_mid_way_leaves_its_secrets_only_until_the_next_command(
    runtime: Path, base_image: str, tmp_path: Path
) -> None:
    """`dockyard build` with an index password, SIGKILLed while it builds: its secrets folder (0700, the
    password inside) stays until any later dockyard command, which removes it."""
    project = tmp_path / "project"
    project.mkdir()
    password = f"pw-{uuid.uuid4().hex}"
    (project / "spec.yaml").write_text(
        f"name: dockyard-test/sec-kill-{uuid.uuid4().hex[:10]}\n"
        f"pip_extra_index_url: ['http://user:{password}@127.0.0.1:9/simple']\n"
        "commands: ['sleep 60']\n"
    )
    env = {**os.environ, "DOCKYARD_BUILD_WORK_DIR": str(tmp_path / "work")}
    build = subprocess.Popen(
        [DOCKYARD, "build", str(project / "spec.yaml")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        found: list[Path] = []
        while not found and time.monotonic() < deadline and build.poll() is None:
            found = (
                [p for p in runtime.glob(f"build-{build.pid}-*") if any(p.iterdir())]
                if runtime.is_dir()
                else []
            )
            time.sleep(0.05)
        assert found, "the build never wrote its secrets"
        (folder,) = found
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert any(password in f.read_text() for f in folder.iterdir())
    finally:
        os.killpg(build.pid, signal.SIGKILL)
        build.wait(30)
    assert folder.exists()
    subprocess.run([DOCKYARD, "--help"], capture_output=True, env=env, timeout=60, check=True)
    assert not folder.exists()
