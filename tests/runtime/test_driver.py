"""Runs that survive their driver: `--no-wait` runs on their own, a killed driver is noticed and cleaned up
by the next reader, an abort stops a run, and a resume takes the recorded inputs and numbers on.

Real parts: the Docker engine, the registry, a file:// store, a real detached driver process."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dockyard.config import Settings
from dockyard.errors import ConfigError
from dockyard.remote import DockyardRemote
from dockyard.runtime.blobstore import open_store
from dockyard.runtime.detached import driver_log, resume_execution, start_detached, start_on_cluster
from dockyard.runtime.driver import DriverDoc, abort_execution, driver_uri
from dockyard.runtime.phase import Phase
from dockyard.runtime.record import load_record

from .test_remote import file_settings, s3_settings, source_copy  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]


def until(check: Callable[[], Any], timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def containers(docker_client: Any, execution_id: str) -> list[Any]:
    return docker_client.containers.list(all=True, filters={"label": f"dockyard.execution={execution_id}"})


def detached(settings: Settings, tmp_path: Path, wf: str, inputs: dict[str, Any]) -> tuple[Any, str]:
    src = source_copy(tmp_path / "src")
    execution_id = f"det{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    start_detached(
        f"{src / 'faults.py'}:{wf}", inputs, source_root=src, settings=settings, execution_id=execution_id
    )
    assert time.monotonic() - started < 10  # the id comes back at once; builds run in the driver
    return open_store(settings.store.url, settings), execution_id


def driver_pid(store: Any, execution_id: str) -> int:
    doc = until(lambda: store.exists(driver_uri(store, execution_id)), 60, "the driver's heartbeat")
    assert doc
    return DriverDoc.model_validate(store.read_json(driver_uri(store, execution_id))).pid


def test_a_no_wait_run_completes_on_its_own(file_settings: Settings, tmp_path: Path) -> None:  # noqa: F811
    store, execution_id = detached(file_settings, tmp_path, "greet", {"name": "ada"})
    assert load_record(store, execution_id).phase in (Phase.PENDING, Phase.RUNNING)
    assert driver_pid(store, execution_id) != os.getpid()
    record = until(
        lambda: (r := load_record(store, execution_id)).phase.final and r, 300, "the detached run to finish"
    )
    assert record.phase is Phase.SUCCEEDED, (
        record.message,
        driver_log(file_settings, execution_id).read_text(),
    )
    assert record.outputs_uri


def test_a_killed_driver_is_noticed_and_its_run_resumes_with_the_recorded_inputs(
    file_settings: Settings,  # noqa: F811
    tmp_path: Path,
    docker_client: Any,
) -> None:
    """count_up waits at 5 on its first attempt; the driver is killed there. The next reader marks the run
    failed and removes its container; `--resume` continues from the checkpoint as attempt 1."""
    store, execution_id = detached(file_settings, tmp_path, "checkpointed", {"to": 10})
    until(
        lambda: [c for c in containers(docker_client, execution_id) if c.status == "running"], 300, "a task"
    )
    nodes = store.url_for("executions", execution_id, "nodes") + "/"

    def at_five() -> bool:
        ends = [u for u in store.list(nodes) if u.endswith("/checkpoints/0/_checkpoint")]
        return any(store.read_bytes(u) == b"5" for u in ends)

    until(at_five, 60, "the checkpoint at 5")
    os.kill(driver_pid(store, execution_id), signal.SIGKILL)
    time.sleep(0.5)

    listed = DockyardRemote(settings=file_settings).list_executions()  # what `dockyard executions` shows
    assert [e.phase for e in listed if e.execution_id == execution_id] == ["failed"]
    record = load_record(store, execution_id)  # what `dockyard status` reads
    assert record.phase is Phase.FAILED
    assert "exited without finishing" in record.message
    assert containers(docker_client, execution_id) == []
    (node,) = record.nodes.values()
    assert node.phase is Phase.FAILED and node.attempts[0].finished_at is not None
    interrupted_logs = node.attempts[0].logs_uri
    assert interrupted_logs and store.exists(interrupted_logs)

    result = resume_execution(execution_id, settings=file_settings)
    assert result.outputs == 5010  # went on from the interrupted attempt's checkpoint
    (node,) = load_record(store, execution_id).nodes.values()
    assert [a.attempt for a in node.attempts] == [0, 1]
    assert node.attempts[1].logs_uri != interrupted_logs and store.exists(interrupted_logs)


def test_an_abort_stops_a_detached_run(file_settings: Settings, tmp_path: Path, docker_client: Any) -> None:  # noqa: F811
    store, execution_id = detached(file_settings, tmp_path, "checkpointed", {"to": 10})
    until(
        lambda: [c for c in containers(docker_client, execution_id) if c.status == "running"], 300, "a task"
    )
    record = abort_execution(store, execution_id, reason="stopped by the test")
    assert record.phase is Phase.ABORTED and "stopped by the test" in record.message
    until(lambda: not containers(docker_client, execution_id), 60, "the containers to go")
    with pytest.raises(ConfigError, match="already aborted"):
        abort_execution(store, execution_id)


@pytest.mark.s3
def test_no_wait_on_kubernetes_records_the_run_and_creates_its_driver_job(
    s3_settings: Settings,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The images and bundle are made here; the cluster (a stand-in: none runs here) gets one driver Job."""
    image = "localhost:5000/dockyard-driver@sha256:" + "ab" * 32
    settings = s3_settings.model_copy(
        update={
            "executor": s3_settings.executor.model_copy(update={"backend": "kubernetes"}),
            "kubernetes": s3_settings.kubernetes.model_copy(update={"schedule_image": image}),
        }
    )
    created: list[dict[str, Any]] = []

    class Cluster:
        def create(self, manifest: dict[str, Any]) -> None:
            created.append(manifest)

    src = source_copy(tmp_path / "src")
    ref = f"{src / 'faults.py'}:greet"
    execution_id = start_on_cluster(
        ref, {"name": "ada"}, source_root=src, settings=settings, cluster=Cluster()
    )
    (job,) = created
    assert job["kind"] == "Job" and job["metadata"]["labels"]["dockyard.io/execution-id"] == execution_id
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["command"][-2:] == ["--execution-id", execution_id] and container["image"] == image
    env = {e["name"]: e["value"] for e in container["env"]}
    assert (
        env["DOCKYARD_STORE_URL"] == settings.store.url and env["DOCKYARD_EXECUTOR_BACKEND"] == "kubernetes"
    )
    record = load_record(open_store(settings.store.url, settings), execution_id)
    assert record.phase is Phase.PENDING and record.bundle_uri and record.images
