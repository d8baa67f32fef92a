"""ContainerTask in remote runs: on the Docker backend the driver runs the user's raw image (no dockyard in
it) with the executor's hardening, and the attempt lands in the store like any other; the Kubernetes
backend refuses it before anything is built."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockyard.config import Settings
from dockyard.errors import ExecutionError
from dockyard.runtime.blobstore import open_store
from dockyard.runtime.phase import Phase
from dockyard.runtime.record import load_record
from dockyard.runtime.remote import run_remote

from .test_remote import load, settings_for, source_copy

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]

DEBIAN = "localhost:5000/dockyard/debian:bookworm"


@pytest.fixture
def file_settings(tmp_path: Path, docker_engine: str, registry: str) -> Settings:
    return settings_for(f"file://{tmp_path}/store", tmp_path)


def node_of(record: object, task: str) -> object:
    return next(n for n in record.nodes.values() if n.task == task)  # type: ignore[attr-defined]


def test_a_container_task_and_a_python_task_run_remotely(file_settings: Settings, tmp_path: Path) -> None:
    src = source_copy(tmp_path / "src")
    result = run_remote(load(src, "raw", "mixed"), {"x": 7}, source_root=src, settings=file_settings)
    assert result.outputs == 50
    store = open_store(file_settings.store.url, file_settings)
    record = load_record(store, result.execution_id)
    assert record.phase is Phase.SUCCEEDED
    raw = node_of(record, "square")
    assert raw.phase is Phase.SUCCEEDED  # type: ignore[attr-defined]
    assert (
        record.images["localhost:5000/dockyard/debian:bookworm"] == "localhost:5000/dockyard/debian:bookworm"
    )
    logs = store.read_bytes(raw.attempts[-1].logs_uri).decode()  # type: ignore[attr-defined]
    assert "squaring 7 as 65532" in logs  # the executor's non-root task user, not the image's root


def test_a_failing_container_fails_its_node_with_its_logs(file_settings: Settings, tmp_path: Path) -> None:
    src = source_copy(tmp_path / "src")
    with pytest.raises(ExecutionError, match=r"broken.*ContainerFailed: container .* exited with code 3"):
        run_remote(load(src, "raw", "broken"), {"x": 2}, source_root=src, settings=file_settings)
    store = open_store(file_settings.store.url, file_settings)
    (execution,) = [p.name for p in (tmp_path / "store" / "executions").iterdir()]
    record = load_record(store, execution)
    assert record.phase is Phase.FAILED
    node = node_of(record, "broken")
    assert node.phase is Phase.FAILED  # type: ignore[attr-defined]
    attempt = node.attempts[-1]  # type: ignore[attr-defined]
    assert attempt.error_kind == "user" and "exited with code 3" in attempt.message
    logs = store.read_bytes(attempt.logs_uri).decode()
    assert "about to fail with 2" in logs and "oops" in logs
