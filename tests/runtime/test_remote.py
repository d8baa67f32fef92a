"""End-to-end remote runs: images built from ImageSpecs, code bundled, each task in its own container on
the real Docker engine, values through a real blob store (a folder, or a moto S3 server)."""

from __future__ import annotations

import shutil
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from dockyard.config import Settings, load_settings
from dockyard.errors import ExecutionError, StoreError
from dockyard.runtime.blobstore import open_store
from dockyard.runtime.docker_executor import DockerExecutor
from dockyard.runtime.executor import Outcome
from dockyard.runtime.options import RunOptions
from dockyard.runtime.phase import Phase
from dockyard.runtime.record import load_record
from dockyard.runtime.remote import make_executor, run_remote
from dockyard.sdk.entities import load_entity

from .conftest import MotoProcess, TcpProxy, make_bucket

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]

WORKFLOWS = Path(__file__).parent / "workflows"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def settings_for(store_url: str, work: Path, endpoint: str | None = None) -> Settings:
    build: dict[str, Any] = {"work_dir": str(work / "build")}
    if CA_BUNDLE.is_file():  # package indexes behind a TLS-intercepting proxy
        build["ca_bundle"] = str(CA_BUNDLE)
    # Tasks get their own network by default; the moto endpoint listens on the host's loopback only.
    executor = {"task_network": "host"} if endpoint else {}
    return load_settings(
        {"build": build, "store": {"url": store_url, "s3_endpoint_url": endpoint}, "executor": executor},
        environ={},
    )


def source_copy(dest: Path, edit: tuple[str, str] | None = None) -> Path:
    """A private copy of the test workflows: the bundle's source root, safe to edit."""
    shutil.copytree(WORKFLOWS, dest, ignore=shutil.ignore_patterns("__pycache__"))
    if edit is not None:
        faults = dest / "faults.py"
        faults.write_text(faults.read_text().replace(*edit))
    return dest


def load(src: Path, module: str, name: str) -> Any:
    sys.modules.pop(module, None)
    return load_entity(f"{src / (module + '.py')}:{name}")


@pytest.fixture
def file_settings(tmp_path: Path, docker_engine: str, registry: str) -> Settings:
    return settings_for(f"file://{tmp_path}/store", tmp_path)


@pytest.fixture
def s3_settings(tmp_path: Path, moto: MotoProcess, docker_engine: str, registry: str) -> Settings:
    return settings_for(f"s3://{make_bucket(moto.endpoint)}/dockyard", tmp_path, moto.endpoint)


def run_pipeline(settings: Settings, tmp_path: Path) -> None:
    src = source_copy(tmp_path / "src")
    wf = load(src, "pipeline", "training_pipeline")
    config = sys.modules["pipeline"].TrainConfig(epochs=300, learning_rate=0.5)
    result = run_remote(
        wf, {"rows": 40, "config": config, "threshold": 0.9}, source_root=src, settings=settings
    )
    assert result.outputs.startswith("published r2="), result.outputs
    assert float(result.outputs.split("=")[1]) >= 0.9
    record = load_record(open_store(settings.store.url, settings), result.execution_id)
    assert record.phase is Phase.SUCCEEDED
    tasks = {n.task for n in record.nodes.values() if n.phase is Phase.SUCCEEDED}
    assert {
        "pipeline.prepare",
        "pipeline.to_csv",
        "pipeline.train",
        "pipeline.evaluate",
        "pipeline.publish",
    } <= tasks
    assert "pipeline.reject" not in tasks  # only the taken branch ran
    assert all(n.attempts[-1].logs_uri for n in record.nodes.values() if n.attempts)
    # the quality gate really decides: an impossible threshold takes the other branch
    strict = run_remote(
        wf, {"rows": 40, "config": config, "threshold": 1.5}, source_root=src, settings=settings
    )
    assert strict.outputs.startswith("rejected r2=")


def test_ml_pipeline_with_a_file_store(file_settings: Settings, tmp_path: Path) -> None:
    run_pipeline(file_settings, tmp_path)


@pytest.mark.s3
def test_ml_pipeline_with_an_s3_store(s3_settings: Settings, tmp_path: Path) -> None:
    run_pipeline(s3_settings, tmp_path)


def test_source_only_change_reruns_without_an_image_build(file_settings: Settings, tmp_path: Path) -> None:
    from dockyard.builders.engine import BuildEngine

    src = source_copy(tmp_path / "v1")
    first = run_remote(load(src, "faults", "greet"), {"name": "ada"}, source_root=src, settings=file_settings)
    assert first.outputs.startswith("HELLO ADA V1 ")
    spec_id = first.outputs.split()[-1]
    assert spec_id  # DOCKYARD_IMAGE_SPEC_ID reached the task
    src2 = source_copy(tmp_path / "v2", ('VERSION = "v1"', 'VERSION = "v2"'))
    engine = BuildEngine(file_settings)
    second = run_remote(
        load(src2, "faults", "greet"),
        {"name": "ada"},
        source_root=src2,
        settings=file_settings,
        engine=engine,
    )
    assert second.outputs == f"HELLO ADA V2 {spec_id}"
    assert engine.builds == 0
    assert first.record.bundle_uri != second.record.bundle_uri
    assert first.record.images == second.record.images


def kill_at_checkpoint(store: Any, execution_id: str, docker_client: Any) -> threading.Thread:
    """Kill the execution's container once a first-attempt checkpoint holding b"5" reaches the store."""
    nodes = store.url_for("executions", execution_id, "nodes") + "/"

    def reached() -> bool:
        for uri in store.list(nodes):
            if uri.endswith("/checkpoints/0/_checkpoint") and store.read_bytes(uri) == b"5":
                return True
        return False

    def watch() -> None:
        for _ in range(1200):
            if reached():
                for c in docker_client.containers.list(
                    filters={"label": f"dockyard.execution={execution_id}"}
                ):
                    c.kill()
                return
            time.sleep(0.1)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_killed_container_resumes_from_its_checkpoint(
    file_settings: Settings, tmp_path: Path, docker_client: Any
) -> None:
    src = source_copy(tmp_path / "src")
    store = open_store(file_settings.store.url, file_settings)
    execution_id = f"kill{uuid.uuid4().hex[:8]}"
    watcher = kill_at_checkpoint(store, execution_id, docker_client)
    result = run_remote(
        load(src, "faults", "checkpointed"),
        {"to": 10},
        source_root=src,
        settings=file_settings,
        execution_id=execution_id,
    )
    watcher.join()
    assert result.outputs == 5010  # resumed at 5, counted to 10
    (node,) = load_record(store, execution_id).nodes.values()
    attempts = node.attempts
    assert [a.error_kind for a in attempts] == ["system", None]
    assert attempts[0].message.startswith("system error: container killed by signal 9")


class PreemptingExecutor(DockerExecutor):
    """Docker cannot preempt: this stands in for a cluster that evicts each node's first pod mid-run."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.evicted: set[str] = set()

    def wait(self, handle: Any) -> Outcome:
        if handle.attempt.node_id in self.evicted:
            return super().wait(handle)
        self.evicted.add(handle.attempt.node_id)
        handle.container.kill()
        super().wait(handle)
        return Outcome(Phase.PREEMPTED, None, "pod was disrupted (PreemptionByScheduler): evicted")


def test_a_preempted_attempt_is_relaunched_without_using_retries(
    file_settings: Settings, tmp_path: Path
) -> None:
    """Both tasks have retries=0; each loses its first container to the platform and still succeeds."""
    src = source_copy(tmp_path / "src")
    store = open_store(file_settings.store.url, file_settings)
    executor = PreemptingExecutor(file_settings, store_root=tmp_path / "store")
    result = run_remote(
        load(src, "faults", "greet"),
        {"name": "ada"},
        source_root=src,
        settings=file_settings,
        executor=executor,
    )
    assert result.outputs.startswith("HELLO ADA V1")
    record = load_record(store, result.execution_id)
    assert record.phase is Phase.SUCCEEDED and len(executor.evicted) == 2
    for node in record.nodes.values():
        assert [(a.attempt, a.phase) for a in node.attempts] == [(0, "preempted"), (1, "succeeded")]
        assert node.attempts[0].error_kind == "system"


def test_the_task_sees_its_real_execution_id(file_settings: Settings, tmp_path: Path) -> None:
    src = source_copy(tmp_path / "src")
    result = run_remote(load(src, "faults", "whoami"), {}, source_root=src, settings=file_settings)
    assert result.outputs == f"dockyard/development/{result.execution_id}"


def test_timeout_fails_the_task(file_settings: Settings, tmp_path: Path) -> None:
    src = source_copy(tmp_path / "src")
    with pytest.raises(ExecutionError, match=r"faults\.slow.*timed out"):
        run_remote(load(src, "faults", "timeout_wf"), {}, source_root=src, settings=file_settings)


def test_user_error_is_reported_with_its_type(file_settings: Settings, tmp_path: Path) -> None:
    src = source_copy(tmp_path / "src")
    with pytest.raises(ExecutionError, match=r"ValueError: bad input 3"):
        run_remote(load(src, "faults", "fail_user"), {"x": 3}, source_root=src, settings=file_settings)


def test_missing_image_is_a_clear_error(file_settings: Settings, tmp_path: Path) -> None:
    src = source_copy(tmp_path / "src")
    with pytest.raises(ExecutionError, match=r"image localhost:5000/dockyard/missing@sha256:0+: not found"):
        run_remote(load(src, "faults", "ghost_wf"), {}, source_root=src, settings=file_settings)


class StopStoreOnLaunch:
    """Wraps the executor: stops the S3 endpoint as the `stop_at`-th container (0-based) starts."""

    def __init__(self, inner: Any, proxy: TcpProxy, stop_at: int | None) -> None:
        self.inner, self.proxy, self.stop_at = inner, proxy, stop_at
        self.name = inner.name
        self.launched: list[str] = []

    def launch(self, attempt: Any) -> Any:
        if len(self.launched) == self.stop_at:
            self.proxy.stop()
        self.launched.append(attempt.node_id)
        return self.inner.launch(attempt)

    def wait(self, handle: Any) -> Any:
        return self.inner.wait(handle)

    def logs(self, handle: Any) -> str:
        return self.inner.logs(handle)

    def cancel(self, handle: Any) -> None:
        self.inner.cancel(handle)


@pytest.mark.s3
def test_s3_stopped_mid_run_is_a_clear_error_and_the_run_resumes(
    moto: MotoProcess, tmp_path: Path, docker_engine: str, registry: str
) -> None:
    proxy = TcpProxy(moto.port)
    proxy.start()
    try:
        settings = settings_for(f"s3://{make_bucket(moto.endpoint)}/dockyard", tmp_path, proxy.endpoint)
        src = source_copy(tmp_path / "src")
        wf = load(src, "faults", "greet")
        store = open_store(settings.store.url, settings)
        first = StopStoreOnLaunch(make_executor(settings, store), proxy, 1)
        execution_id = f"s3stop{uuid.uuid4().hex[:8]}"
        with pytest.raises(
            StoreError, match=rf"execution {execution_id}: .*s3://.*(resume it with --resume)"
        ):
            run_remote(
                wf,
                {"name": "bo"},
                source_root=src,
                settings=settings,
                execution_id=execution_id,
                executor=first,
            )
        hello_node, shout_node = first.launched
        proxy.start()
        record = load_record(store, execution_id)
        assert record.nodes[hello_node].phase is Phase.SUCCEEDED
        assert record.nodes[shout_node].phase is not Phase.SUCCEEDED
        # the driver could not record its end; the next reader does, and the run stays resumable
        assert record.phase is Phase.FAILED and "stopped without finishing" in record.message
        again = StopStoreOnLaunch(make_executor(settings, store), proxy, None)
        result = run_remote(
            wf,
            {"name": "bo"},
            source_root=src,
            settings=settings,
            execution_id=execution_id,
            resume=True,
            executor=again,
        )
        assert result.outputs.startswith("HELLO BO V1")
        assert again.launched == [shout_node]  # hello finished before the outage: not run again
    finally:
        proxy.stop()


class CountingExecutor:
    """Wraps the executor and records the most containers running at once."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name = inner, inner.name
        self.running = self.peak = 0
        self.lock = threading.Lock()

    def launch(self, attempt: Any) -> Any:
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        return self.inner.launch(attempt)

    def wait(self, handle: Any) -> Any:
        try:
            return self.inner.wait(handle)
        finally:
            with self.lock:
                self.running -= 1

    def logs(self, handle: Any) -> str:
        return self.inner.logs(handle)

    def cancel(self, handle: Any) -> None:
        self.inner.cancel(handle)


def test_dynamic_and_map_with_concurrency_and_success_ratio(file_settings: Settings, tmp_path: Path) -> None:
    src = source_copy(tmp_path / "src")
    wf = load(src, "faults", "fan")
    store = open_store(file_settings.store.url, file_settings)
    executor = CountingExecutor(make_executor(file_settings, store))
    result = run_remote(
        wf, {"n": 5, "xs": [1, 2, 3, 4, 5]}, source_root=src, settings=file_settings, executor=executor
    )
    squares, mapped = result.outputs
    assert squares == [0, 1, 4, 16]
    assert mapped == [1, 4, None, 16, 25]  # the failed item is tolerated: 4 of 5 >= 0.5
    record = load_record(store, result.execution_id)
    failed = [n for n in record.nodes.values() if n.phase is Phase.FAILED]
    assert len(failed) == 1 and "three is unlucky" in failed[0].message
    assert executor.peak <= file_settings.executor.max_parallel


def test_ctrl_c_cancels_running_containers(tmp_path: Path, docker_client: Any, registry: str) -> None:
    import os
    import signal
    import subprocess

    src = source_copy(tmp_path / "src")
    env = {**os.environ, "DOCKYARD_STORE_URL": f"file://{tmp_path}/store"}
    if CA_BUNDLE.is_file():
        env["DOCKYARD_BUILD_CA_BUNDLE"] = str(CA_BUNDLE)
    cmd = [sys.executable, "-c", "from dockyard.cli.main import main; main()"]
    cmd += ["run", "--remote", str(src / "faults.py"), "checkpointed", "--to", "10"]
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # background shells ignore it
    )
    try:
        execution = None
        for _ in range(3000):  # the first run may build the image
            for c in docker_client.containers.list(filters={"label": "dockyard.node"}):
                if str(tmp_path) in " ".join(c.attrs["Args"]):  # this test's store, not another run's
                    execution = c.labels["dockyard.execution"]
            if execution or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert execution is not None, proc.communicate()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    left = docker_client.containers.list(all=True, filters={"label": f"dockyard.execution={execution}"})
    assert left == [], err
    record = load_record(open_store(f"file://{tmp_path}/store", load_settings(environ={})), execution)
    assert record.phase is Phase.FAILED and record.message == "interrupted"


def test_local_file_input_travels_through_the_store(file_settings: Settings, tmp_path: Path) -> None:
    from dockyard import FlyteFile

    src = source_copy(tmp_path / "src")
    data = tmp_path / "outside" / "data.txt"  # not under the store, not mounted in the container
    data.parent.mkdir()
    data.write_text("a\nb\nc\n")
    result = run_remote(
        load(src, "faults", "lines"), {"f": FlyteFile(str(data))}, source_root=src, settings=file_settings
    )
    assert result.outputs == 3
    stored = (
        open_store(file_settings.store.url, file_settings).read_bytes(str(result.record.inputs_uri)).decode()
    )
    assert str(data) not in stored and file_settings.store.url in stored  # uploaded once, passed by reference


def test_secret_reaches_the_task_as_a_file_only(
    file_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    monkeypatch.setenv("_FSEC_DB_PASSWORD", "s3cret-value-42")  # the driver host's secret
    src = source_copy(tmp_path / "src")
    result = run_remote(load(src, "faults", "secret_digest"), {}, source_root=src, settings=file_settings)
    assert result.outputs == hashlib.sha256(b"s3cret-value-42").hexdigest()
    store_root = Path(file_settings.store.url[len("file://") :])
    for path in store_root.rglob("*"):  # not in inputs, logs, record or states
        if path.is_file():
            assert b"s3cret-value-42" not in path.read_bytes(), path


def test_secret_options_are_honoured_in_containers(
    file_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A versioned secret is where the SDK looks for it; env_var gives the value (mounted as env_var) or
    the file's path; the driver host holds them as a local run finds them."""
    monkeypatch.setenv("_FSEC_DB_V2_PASSWORD", "pw-v2")
    monkeypatch.setenv("_FSEC_API_TOKEN", "tok-1")
    monkeypatch.setenv("_FSEC_TLS_PEM", "pem-body")
    src = source_copy(tmp_path / "src")
    result = run_remote(load(src, "faults", "secret_options"), {}, source_root=src, settings=file_settings)
    assert result.outputs == "pw-v2|tok-1|pem-body"


def test_cache_catalog_in_the_store(file_settings: Settings, tmp_path: Path) -> None:
    src = source_copy(tmp_path / "src")
    wf = load(src, "faults", "cubes")
    store = open_store(file_settings.store.url, file_settings)
    first = CountingExecutor(make_executor(file_settings, store))
    assert run_remote(wf, {"x": 3}, source_root=src, settings=file_settings, executor=first).outputs == 27
    second = CountingExecutor(make_executor(file_settings, store))
    result = run_remote(wf, {"x": 3}, source_root=src, settings=file_settings, executor=second)
    assert result.outputs == 27
    assert (first.peak, second.peak) == (1, 0)  # the second run launched no container
    assert [n.phase for n in load_record(store, result.execution_id).nodes.values()] == [Phase.CACHED]
    other = CountingExecutor(make_executor(file_settings, store))
    assert run_remote(wf, {"x": 4}, source_root=src, settings=file_settings, executor=other).outputs == 64
    assert other.peak == 1  # other inputs, other key
    again = CountingExecutor(make_executor(file_settings, store))
    options = RunOptions(overwrite_cache=True)  # `dockyard run --remote --overwrite-cache`
    rerun = run_remote(wf, {"x": 3}, source_root=src, settings=file_settings, executor=again, options=options)
    assert rerun.outputs == 27 and again.peak == 1  # ran again despite the cached answer
    assert [n.phase for n in load_record(store, rerun.execution_id).nodes.values()] == [Phase.SUCCEEDED]


def test_user_retry_carries_the_checkpoint(file_settings: Settings, tmp_path: Path) -> None:
    src = source_copy(tmp_path / "src")
    result = run_remote(load(src, "faults", "flaky"), {"n": 7}, source_root=src, settings=file_settings)
    assert result.outputs == "half-way then done (7)"
    (node,) = result.record.nodes.values()
    assert [(a.phase, a.error_kind) for a in node.attempts] == [("failed", "user"), ("succeeded", None)]
    assert "RuntimeError: transient failure" in node.attempts[0].message
