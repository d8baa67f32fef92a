"""Reusable containers (`@task(reusable=ReusePolicy(...))`, docs/reuse.md) on the real Docker engine: many
attempts share a few warm containers, yet none sees another's module state, files, inputs or outputs; a
crash, a timeout or a retry behaves as with one container per attempt; secrets still arrive as files;
every warm container is gone when the run ends and when its driver is killed."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dockyard.config import Settings
from dockyard.runtime.blobstore import open_store
from dockyard.runtime.docker_reuse import _outer_mounts
from dockyard.runtime.phase import Phase
from dockyard.runtime.record import load_record
from dockyard.runtime.remote import run_remote
from dockyard.sdk.errors import TaskDefinitionError
from dockyard.sdk.reuse import ReusePolicy

from .test_remote import load, settings_for, source_copy

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]


@pytest.fixture
def file_settings(tmp_path: Path, docker_engine: str, registry: str) -> Settings:
    return settings_for(f"file://{tmp_path}/store", tmp_path)


def containers_of(execution_id: str, *, running: bool = False) -> list[str]:
    out = subprocess.run(
        ["docker", "ps", "-q" if running else "-aq", "--filter", f"label=dockyard.execution={execution_id}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def test_attempts_share_warm_containers_but_not_state(file_settings: Settings, tmp_path: Path) -> None:
    src = source_copy(tmp_path / "src")
    result = run_remote(
        load(src, "reuse", "probes"), {"xs": list(range(6))}, source_root=src, settings=file_settings
    )
    hosts = set()
    for x, line in enumerate(result.outputs):
        head, _, host = line.rpartition(" host=")
        hosts.add(host)
        # fresh module state, nothing left by earlier attempts in the working folder, in TMPDIR, nor
        # running in the background, and the attempt is a child of the warm process
        assert head == f"{x} seen=[{x}] files=[] procs=0 forked=True", line
    assert 1 <= len(hosts) <= 2  # 6 attempts, at most `replicas` containers
    deadline = time.monotonic() + 30
    while containers_of(result.execution_id):  # the run hung up on them: their workers exit, Docker removes
        assert time.monotonic() < deadline, "warm containers outlived their run"
        time.sleep(0.2)
    record = load_record(open_store(file_settings.store.url, file_settings), result.execution_id)
    assert all(n.phase is Phase.SUCCEEDED for n in record.nodes.values())


def test_a_crash_does_not_poison_the_next_attempt(file_settings: Settings, tmp_path: Path) -> None:
    src = source_copy(tmp_path / "src")
    result = run_remote(
        load(src, "reuse", "crashes"), {"xs": [0, 1, 2, 3]}, source_root=src, settings=file_settings
    )
    assert result.outputs == [0, 10, 20, 30]
    record = load_record(open_store(file_settings.store.url, file_settings), result.execution_id)
    crashed = [n for n in record.nodes.values() if len(n.attempts) > 1]
    assert len(crashed) == 1  # item 1: its first attempt died (signal-like exit), relaunched for free
    first = crashed[0].attempts[0]
    assert first.phase == "failed" and first.exit_code == 139, first


def test_timeout_kills_the_attempt_and_the_container_serves_the_retry(
    file_settings: Settings, tmp_path: Path
) -> None:
    src = source_copy(tmp_path / "src")
    started = time.monotonic()
    result = run_remote(
        load(src, "reuse", "timeout_then_more"), {"x": 1}, source_root=src, settings=file_settings
    )
    assert result.outputs == 4
    assert time.monotonic() - started < 50  # the 60 s sleep was cut at the 3 s timeout
    record = load_record(open_store(file_settings.store.url, file_settings), result.execution_id)
    slow = next(n for n in record.nodes.values() if n.task and n.task.endswith("slow_once"))
    assert [a.phase for a in slow.attempts] == ["timed_out", "succeeded"]


def test_secrets_reach_reused_attempts_as_files_only(
    file_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_FSEC_REUSE_TOKEN", "tok-reuse-77")
    src = source_copy(tmp_path / "src")
    result = run_remote(
        load(src, "reuse", "secrets"), {"xs": [1, 2]}, source_root=src, settings=file_settings
    )
    digest = hashlib.sha256(b"tok-reuse-77").hexdigest()[:12]
    assert result.outputs == [f"1:{digest}", f"2:{digest}"]
    for path in Path(file_settings.store.url[len("file://") :]).rglob("*"):
        if path.is_file():
            assert b"tok-reuse-77" not in path.read_bytes(), path


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["killed", "interrupted"])
def test_warm_containers_go_when_the_driver_is_killed_or_interrupted(
    file_settings: Settings, tmp_path: Path, sig: signal.Signals
) -> None:
    src = source_copy(tmp_path / "src")
    execution_id = f"xreusekill{os.getpid()}{sig.name.lower()}"
    script = tmp_path / "driver.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            from dockyard.config import load_settings
            from dockyard.runtime.remote import run_remote
            from dockyard.sdk.entities import load_entity
            settings = load_settings({file_settings.model_dump(mode="json")!r}, environ={{}})
            wf = load_entity({str(src / "reuse.py")!r} + ":timeout_then_more")
            run_remote(wf, {{"x": 1}}, source_root={str(src)!r}, settings=settings,
                       options=__import__("dockyard.runtime.options", fromlist=["RunOptions"]).RunOptions(
                           name={execution_id!r}))
            """
        )
    )
    driver = subprocess.Popen([sys.executable, str(script)], start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while not containers_of(execution_id, running=True):  # the warm container is up
            assert driver.poll() is None and time.monotonic() < deadline, "no warm container started"
            time.sleep(0.2)
        time.sleep(2)  # its first attempt sleeps
        driver.send_signal(sig)  # SIGINT: Ctrl-C cancels the attempt; SIGKILL: nothing runs in the driver
        driver.wait(timeout=30)
        deadline = time.monotonic() + 30
        while containers_of(execution_id):  # its worker saw the socket close and exited: auto-removed
            assert time.monotonic() < deadline, "the warm container outlived its driver"
            time.sleep(0.2)
    finally:
        if driver.poll() is None:
            driver.kill()


def test_reuse_policy_is_checked() -> None:
    assert ReusePolicy(replicas=3, idle_ttl=__import__("datetime").timedelta(minutes=2)).idle_ttl_s == 120
    for bad in ({"replicas": 0}, {"replicas": True}, {"idle_ttl": 0}, {"idle_ttl": "1m"}):
        with pytest.raises(TaskDefinitionError, match="ReusePolicy"):
            ReusePolicy(**bad)  # type: ignore[arg-type]
    from dockyard import task

    with pytest.raises(TaskDefinitionError, match="reusable must be a ReusePolicy"):

        @task(reusable=2)
        def t() -> None: ...


def test_reused_container_mounts_the_outer_folders() -> None:
    mounts = {
        "/s/executions/x1": {"bind": "/s/executions/x1", "mode": "ro"},
        "/s/bundles/b.tar": {"bind": "/s/bundles/b.tar", "mode": "ro"},
        "/s/executions/x1/nodes/n0/0/outputs": {"bind": "/s/executions/x1/nodes/n0/0/outputs", "mode": "rw"},
        "/s/executions/x1/nodes/n0/checkpoints/0/": {"bind": "/s/x", "mode": "rw"},
    }
    assert _outer_mounts(mounts) == {
        "/s/executions/x1": {"bind": "/s/executions/x1", "mode": "rw"},
        "/s/bundles/b.tar": {"bind": "/s/bundles/b.tar", "mode": "ro"},
    }


def test_a_dynamic_fan_out_runs_its_nodes_in_warm_containers(file_settings: Settings, tmp_path: Path) -> None:
    src = source_copy(tmp_path / "src")
    result = run_remote(load(src, "reuse", "spread"), {"n": 8}, source_root=src, settings=file_settings)
    values = [line.split("@")[0] for line in result.outputs]
    hosts = {line.split("@")[1] for line in result.outputs}
    assert values == [str(2 * i) for i in range(8)]
    assert 1 <= len(hosts) <= 2  # 8 sub-DAG nodes on at most `replicas` warm containers
