"""Runs that survive their driver: `--no-wait` runs on their own, a killed driver is noticed and cleaned up
by the next reader, an abort stops a run, and a resume takes the recorded inputs and numbers on.

Real parts: the Docker engine, the registry, a file:// store, a real detached driver process."""

from __future__ import annotations

import os
import signal
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from dockyard.config import Settings
from dockyard.errors import ConfigError
from dockyard.remote import DockyardRemote
from dockyard.runtime.blobstore import open_store
from dockyard.runtime.detached import driver_log, resume_execution, start_detached, start_on_cluster
from dockyard.runtime.driver import DriverDoc, abort_execution, driver_uri
from dockyard.runtime.options import RunOptions
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


FLAGS = """
import os

from dockyard import FlyteFile, current_context, task, workflow
from faults import runtime_image


@task(container_image=runtime_image)
def flags() -> str:
    execution = current_context().execution_id
    return f"{os.environ.get('OPS_FLAG')} {execution.project}/{execution.domain}/{execution.name}"


@task(container_image=runtime_image)
def write_file() -> FlyteFile:
    with open("out.txt", "w") as handle:
        handle.write("raw")
    return FlyteFile("out.txt")


@workflow
def flagged() -> tuple[str, FlyteFile]:
    return flags(), write_file()


@task(container_image=runtime_image)
def picky() -> str:
    if os.environ.get("OPS_FLAG") != "again":
        raise ValueError("not yet")
    execution = current_context().execution_id
    return f"again {execution.project}/{execution.domain}"


@workflow
def picky_wf() -> str:
    return picky()
"""

OPTIONS = RunOptions(
    project="churn",
    domain="staging",
    env={"OPS_FLAG": "on"},
    labels={"cost-center": "ml-42"},
    annotations={"owner": "Ada Lovelace"},
    service_account="trainer",
    overwrite_cache=True,
)


def test_a_no_wait_run_honours_copy_images_and_every_run_option(
    file_settings: Settings,  # noqa: F811
    tmp_path: Path,
) -> None:
    """What a waited run is told reaches a detached one too: the flags through its record (env, project and
    domain in the container, the raw-output prefix for its files), `--copy auto` (only the modules the
    driver loaded are shipped) and `-i` (a pinned task runs in that image; nothing is built for it)."""
    import tarfile

    src = source_copy(tmp_path / "src")
    (src / "flagged.py").write_text(FLAGS)
    (src / "unused.py").write_text("VALUE = 1\n")  # never imported: --copy auto leaves it out
    prefix = f"file://{tmp_path}/raw-data"
    options = replace(OPTIONS, raw_output_prefix=prefix)
    store = open_store(file_settings.store.url, file_settings)
    execution_id = start_detached(
        f"{src / 'flagged.py'}:flagged",
        {},
        source_root=src,
        settings=file_settings,
        execution_id="flagged" + uuid.uuid4().hex[:6],
        options=options,
        copy="auto",
    )
    record = until(
        lambda: (r := load_record(store, execution_id)).phase.final and r, 300, "the detached run to finish"
    )
    assert record.phase is Phase.SUCCEEDED, (
        record.message,
        driver_log(file_settings, execution_id).read_text(),
    )
    assert record.run_options() == replace(options, name=execution_id)
    outputs = DockyardRemote(settings=file_settings).outputs(execution_id)
    assert outputs["o0"] == f"on churn/staging/{execution_id}"
    assert str(outputs["o1"]).startswith(f"{prefix}/{execution_id}/"), outputs
    assert record.bundle_uri
    with tarfile.open(record.bundle_uri.removeprefix("file://")) as tar:
        assert sorted(tar.getnames()) == ["faults.py", "flagged.py"]

    ghost = "localhost:5000/dockyard/missing@sha256:" + "0" * 64
    pinned = start_detached(
        f"{src / 'flagged.py'}:flagged",
        {},
        source_root=src,
        settings=file_settings,
        copy="none",
        images={"dockyard-test-runtime": ghost},
    )
    record = until(
        lambda: (r := load_record(store, pinned)).phase.final and r, 300, "the pinned run to finish"
    )
    assert set(record.images.values()) == {ghost}  # not built: the tasks were pinned to the given image
    assert record.bundle_uri is None  # --copy none
    assert record.phase is Phase.FAILED


def test_a_resume_keeps_the_recorded_options_and_takes_those_given_again(
    file_settings: Settings,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The first run fails for want of `--env OPS_FLAG=again`; a detached resume given only that flag keeps
    the recorded project, domain and labels (they reach the container) and runs with the new env."""
    from dockyard.errors import ExecutionError
    from dockyard.runtime.remote import run_remote

    from .test_remote import load

    src = source_copy(tmp_path / "src")
    (src / "flagged.py").write_text(FLAGS)
    store = open_store(file_settings.store.url, file_settings)
    execution_id = "picky" + uuid.uuid4().hex[:6]
    with pytest.raises(ExecutionError, match="not yet"):
        run_remote(
            load(src, "flagged", "picky_wf"),
            {},
            source_root=src,
            settings=file_settings,
            execution_id=execution_id,
            options=OPTIONS,
        )
    again = RunOptions(env={"OPS_FLAG": "again"})
    assert resume_execution(execution_id, settings=file_settings, wait=False, options=again) == execution_id
    resumed = lambda r: r.phase.final and any(len(n.attempts) > 1 for n in r.nodes.values())  # noqa: E731
    record = until(
        lambda: resumed(r := load_record(store, execution_id)) and r, 300, "the resumed run to finish"
    )
    assert record.phase is Phase.SUCCEEDED, (
        record.message,
        driver_log(file_settings, execution_id).read_text(),
    )
    assert DockyardRemote(settings=file_settings).outputs(execution_id) == {"o0": "again churn/staging"}
    assert record.run_options() == replace(OPTIONS, name=execution_id, env={"OPS_FLAG": "again"})


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


@pytest.mark.s3
def test_no_wait_and_its_driver_job_on_kubernetes_honour_copy_images_and_the_run_options(
    s3_settings: Settings,  # noqa: F811
    tmp_path: Path,
) -> None:
    """`--no-wait` on Kubernetes ships `--copy auto`'s modules and pins `-i`'s image here; the driver Job
    resumes the recorded run, and every task pod it creates (a stand-in cluster records them, validated
    against the upstream schema) carries the run's flags."""
    import io
    import tarfile

    import kubernetes_validate

    from dockyard.errors import DockyardError
    from dockyard.kubernetes.executor import KubernetesExecutor
    from dockyard.kubernetes.pod_status import PodVerdict

    image = "localhost:5000/dockyard-driver@sha256:" + "ab" * 32
    ghost = "localhost:5000/dockyard/pinned@sha256:" + "0" * 64
    settings = s3_settings.model_copy(
        update={
            "executor": s3_settings.executor.model_copy(update={"backend": "kubernetes"}),
            "kubernetes": s3_settings.kubernetes.model_copy(update={"schedule_image": image}),
        }
    )

    class Cluster:  # the API server: creates recorded, every pod ends failed at once
        def __init__(self) -> None:
            self.created: list[dict[str, Any]] = []

        def create(self, manifest: dict[str, Any]) -> None:
            self.created.append(manifest)

        def delete(self, kind: str, name: str) -> None:
            pass

        def wait_pod(self, name: str, until: Any) -> PodVerdict:
            return PodVerdict(Phase.FAILED, "stand-in", exit_code=1)

        def log_tail(self, pod: str, container: str, lines: int = 40) -> str:
            return ""

    src = source_copy(tmp_path / "src")
    (src / "flagged.py").write_text(FLAGS)
    (src / "unused.py").write_text("VALUE = 1\n")
    options = replace(OPTIONS, raw_output_prefix=f"{settings.store.url}/raw")
    for name in ("faults", "flagged"):  # imported from this source root, as a fresh `dockyard run` does
        sys.modules.pop(name, None)
    jobs = Cluster()
    execution_id = start_on_cluster(
        f"{src / 'flagged.py'}:flagged",
        {},
        source_root=src,
        settings=settings,
        options=options,
        copy="auto",
        images={"dockyard-test-runtime": ghost},
        cluster=jobs,
    )
    (job,) = jobs.created
    assert job["kind"] == "Job"
    store = open_store(settings.store.url, settings)
    record = load_record(store, execution_id)
    assert set(record.images.values()) == {ghost}  # pinned: nothing was built
    assert record.run_options() == replace(options, name=execution_id)
    assert record.bundle_uri
    with tarfile.open(fileobj=io.BytesIO(store.read_bytes(record.bundle_uri))) as tar:
        assert sorted(tar.getnames()) == ["faults.py", "flagged.py"]

    pods = Cluster()  # what the driver Job does in the cluster: resume the recorded run
    with pytest.raises(DockyardError) as failed:
        resume_execution(execution_id, settings=settings, executor=KubernetesExecutor(settings, cluster=pods))
    assert pods.created, failed.value
    for pod in pods.created:
        for version in ("1.30", "1.37"):
            kubernetes_validate.validate(pod, version, strict=True)
        assert pod["metadata"]["labels"]["cost-center"] == "ml-42"
        assert pod["metadata"]["annotations"]["owner"] == "Ada Lovelace"
        assert pod["spec"]["serviceAccountName"] == "trainer"
        (container,) = pod["spec"]["containers"]
        assert container["image"] == ghost
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["OPS_FLAG"] == "on"
        assert (env["DOCKYARD_EXECUTION_PROJECT"], env["DOCKYARD_EXECUTION_DOMAIN"]) == ("churn", "staging")
        args = container.get("command", []) + container.get("args", [])
        raw = args[args.index("--raw-output-prefix") + 1]
        assert raw.startswith(f"{settings.store.url}/raw/{execution_id}/")
        assert "--bundle" in args
