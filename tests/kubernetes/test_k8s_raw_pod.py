"""A ContainerTask on Kubernetes is one Pod (`kubernetes/raw_pod.py`): the manifest (schema-valid for every
supported minor, golden), and whole runs through the driver against a stand-in API server that plays the
pod: its dockyard steps run in process, the user's container runs its real image on the Docker engine with
the pod's user and the emptyDir volumes as folders (no cluster runs here)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from k8s_helpers import assert_valid, check_golden, make_settings

from dockyard.errors import ExecutionError
from dockyard.kubernetes.executor import KubernetesExecutor
from dockyard.kubernetes.naming import to_yaml
from dockyard.kubernetes.pod_status import PodVerdict
from dockyard.kubernetes.raw_pod import RAW_CONTAINER, STAGE_CONTAINER, raw_task_pod
from dockyard.runtime.executor import TaskAttempt
from dockyard.runtime.phase import Phase
from dockyard.runtime.raw_container import RawContainer

WORKFLOWS = Path(__file__).parent / "workflows"
IMAGE = "registry.example.com/ml/runtime@sha256:" + "ab" * 32  # the run's dockyard image
DEBIAN = "localhost:5000/dockyard/debian:bookworm"


def _attempt() -> TaskAttempt:
    prefix = "s3://b/executions/ex1/nodes/n1/0"
    return TaskAttempt(
        execution_id="ex1",
        node_id="n1",
        attempt=0,
        image=IMAGE,
        command=[
            "dockyard-execute",
            "--inputs",
            f"{prefix}/inputs.json",
            "--output-prefix",
            f"{prefix}/outputs",
        ],
        env={"DOCKYARD_STORE_URL": "s3://b", "MODE": "fast"},
        requests={"cpu": "2", "mem": "1Gi"},
        limits={"mem": "1Gi"},
        timeout_s=300,
    )


def test_container_task_pod_is_valid_and_golden() -> None:
    raw = RawContainer("docker.io/library/alpine:3.20", ["sh", "-c", "wc -l /in/doc > /out/n"], "/in", "/out")
    pod = raw_task_pod(_attempt(), raw, make_settings())
    assert_valid(pod)
    check_golden("task-pod-container-task.yaml", to_yaml([pod]))
    spec = pod["spec"]
    stage, user = spec["initContainers"]
    (main,) = spec["containers"]
    assert (stage["name"], user["name"], main["name"]) == (STAGE_CONTAINER, RAW_CONTAINER, "primary")
    assert stage["image"] == main["image"] == IMAGE and user["image"] == raw.image
    assert user["command"] == raw.argv
    assert user["resources"] == {"requests": {"cpu": "2", "memory": "1Gi"}, "limits": {"memory": "1Gi"}}
    assert "resources" not in main and "resources" not in stage  # the dockyard steps are light
    assert user["securityContext"] == main["securityContext"] and spec["restartPolicy"] == "Never"
    assert {"name": "MODE", "value": "fast"} in user["env"]
    assert stage["command"][-2] == "--raw-inputs-dir" and main["command"][-2] == "--raw-outputs-dir"
    mounts = {m["mountPath"]: m["name"] for m in user["volumeMounts"]}
    assert mounts == {"/in": "dockyard-raw-inputs", "/out": "dockyard-raw-outputs"}
    assert {stage["volumeMounts"][-1]["name"], main["volumeMounts"][-1]["name"]} == set(mounts.values())


class PodPlayer:
    """A stand-in API server for task pods: `create` checks the manifest against the upstream schemas,
    then plays the kubelet: init containers in order, then the container, each emptyDir a host folder.
    dockyard's containers run `dockyard-execute` in process; any other image runs on the Docker engine as
    the pod's user. The first container that fails fails the pod, as with restartPolicy Never."""

    def __init__(self, store: Any, root: Path) -> None:
        self.store, self.root = store, root
        self.pods: dict[str, tuple[PodVerdict, dict[str, str]]] = {}
        self.manifests: list[dict[str, Any]] = []
        self.deleted: list[tuple[str, str]] = []

    def create(self, manifest: dict[str, Any]) -> None:
        assert_valid(manifest)
        self.manifests.append(manifest)
        name, spec = manifest["metadata"]["name"], manifest["spec"]
        folders = {}
        for volume in spec.get("volumes", []):
            if "emptyDir" in volume:
                folders[volume["name"]] = self.root / name / volume["name"]
                folders[volume["name"]].mkdir(parents=True)
                folders[volume["name"]].chmod(0o777)  # as kubelet makes an emptyDir
        logs: dict[str, str] = {}
        verdict = PodVerdict(Phase.SUCCEEDED, exit_code=0)
        steps = [("init container", c) for c in spec.get("initContainers", [])]
        for kind, container in [*steps, ("container", spec["containers"][0])]:
            mounts = {m["mountPath"]: folders[m["name"]] for m in container.get("volumeMounts", [])}
            status, logs[container["name"]] = self._run(container, mounts, spec["securityContext"])
            if status != 0:
                message = f"{kind} {container['name']} exited with code {status} (Error)"
                verdict = PodVerdict(Phase.FAILED, message, status)
                break
        self.pods[name] = (verdict, logs)

    def _run(
        self, container: dict[str, Any], mounts: dict[str, Path], context: dict[str, Any]
    ) -> tuple[int, str]:
        if container["image"] == IMAGE:
            from dockyard.runtime.entrypoint import parse_args, run_attempt

            argv = [str(mounts.get(arg, arg)) for arg in container["command"]]
            return run_attempt(parse_args(argv[1:]), self.store)
        docker = ["docker", "run", "--rm", "--user", f"{context['runAsUser']}:{context['runAsGroup']}"]
        for path, folder in mounts.items():
            docker += ["-v", f"{folder}:{path}"]
        for env in container.get("env", []):
            if "value" in env:
                docker += ["-e", f"{env['name']}={env['value']}"]
        done = subprocess.run(
            [*docker, container["image"], *container["command"]], capture_output=True, text=True, timeout=120
        )
        return done.returncode, done.stdout + done.stderr

    def wait_pod(self, name: str, until: Any) -> PodVerdict:
        return self.pods[name][0]

    def log_tail(self, pod: str, container: str, lines: int = 40) -> str:
        return self.pods[pod][1].get(container, "")

    def delete(self, kind: str, name: str) -> None:
        self.deleted.append((kind, name))

    def node_labels(self, selector: str) -> list[dict[str, str]]:
        return []


def _run(workflow: str, inputs: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from dockyard.config import load_settings
    from dockyard.runtime.blobstore import LocalStore
    from dockyard.runtime.orchestrator import execute_remote
    from dockyard.sdk.entities import load_entity

    monkeypatch.syspath_prepend(str(WORKFLOWS))
    monkeypatch.chdir(tmp_path)
    store = LocalStore(f"file://{tmp_path}/store")
    settings = load_settings({"store": {"url": store.url}}, project_dir=tmp_path, environ={})
    cluster = PodPlayer(store, tmp_path / "pods")
    executor = KubernetesExecutor(settings, cluster=cluster)
    entity = load_entity(f"k8s_raw:{workflow}")
    run = lambda: execute_remote(  # noqa: E731
        entity,
        inputs,
        settings=settings,
        store=store,
        executor=executor,
        images={"default": IMAGE, DEBIAN: DEBIAN},
    )
    return run, cluster, store


@pytest.mark.docker
def test_a_container_task_runs_as_one_pod_between_python_tasks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, docker_engine: str
) -> None:
    from dockyard.runtime.record import load_record

    run, cluster, store = _run("pipeline", {"n": 4, "scale": 10}, tmp_path, monkeypatch)
    result = run()
    assert result.outputs == 44  # 4 lines * 10, plus the 4 lines of the copy the container made
    raw = [m for m in cluster.manifests if m["spec"].get("initContainers")]
    assert len(raw) == 1 and len(cluster.manifests) == 3  # the python tasks are ordinary pods
    user = raw[0]["spec"]["initContainers"][1]
    assert user["image"] == DEBIAN and user["command"][-2:] == ["10", "/var/inputs/doc"]
    assert ("Pod", raw[0]["metadata"]["name"]) in cluster.deleted
    record = load_record(store, result.execution_id)
    node = next(n for n in record.nodes.values() if n.task == "count_lines")
    assert node.phase is Phase.SUCCEEDED
    logs = store.read_bytes(node.attempts[-1].logs_uri or "").decode()
    assert logs.strip() == "counting as 65532"  # the user container's log, run as the pod's non-root user


@pytest.mark.docker
def test_a_failing_container_fails_the_pod_and_names_the_task(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, docker_engine: str
) -> None:
    from dockyard.runtime.record import load_record

    run, cluster, store = _run("failing", {"x": 2}, tmp_path, monkeypatch)
    with pytest.raises(
        ExecutionError, match=r"task broken .*ContainerFailed: container .* exited with code 3"
    ):
        run()
    ((verdict, logs),) = cluster.pods.values()
    assert verdict.state is Phase.FAILED and "primary" not in logs  # the pod stopped at the user's container
    record = load_record(store, next(p.name for p in (tmp_path / "store" / "executions").iterdir()))
    assert record.phase is Phase.FAILED
    node = next(n for n in record.nodes.values() if n.task == "broken")
    (attempt,) = node.attempts  # a user error: no system relaunch
    assert attempt.error_kind == "user" and "exited with code 3" in (attempt.message or "")
    logs_text = store.read_bytes(attempt.logs_uri or "").decode()
    assert "about to fail with 2" in logs_text and "oops" in logs_text


def _settings(tmp_path: Path, backend: str) -> Any:
    from dockyard.config import load_settings

    overrides = {
        "store": {"url": f"file://{tmp_path}/store"},
        "executor": {"backend": backend},
        "build": {"work_dir": str(tmp_path / "build")},
    }
    return load_settings(overrides, environ={})


def test_the_kubernetes_preflight_takes_a_container_task_and_builds_the_dockyard_image(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dockyard.errors import ConfigError
    from dockyard.runtime.orchestrator import DEFAULT_IMAGE
    from dockyard.runtime.remote import image_specs, run_remote
    from dockyard.sdk.entities import load_entity

    monkeypatch.syspath_prepend(str(WORKFLOWS))
    entity = load_entity("k8s_raw:failing")
    settings = _settings(tmp_path, "kubernetes")
    # refused for what any kubernetes run is refused for (the store), not for its ContainerTask
    with pytest.raises(ConfigError, match=r"^store\.url .*kubernetes needs an s3:// store$"):
        run_remote(entity, {"x": 1}, source_root=WORKFLOWS, settings=settings)
    assert not (tmp_path / "build").exists()
    broken = [load_entity("k8s_raw:broken")]  # a ContainerTask alone
    pinned, specs = image_specs(broken, settings)
    assert pinned == {DEBIAN: DEBIAN} and list(specs) == [DEFAULT_IMAGE]  # the pod's dockyard steps
    assert image_specs(broken, _settings(tmp_path, "docker"))[1] == {}  # Docker: the driver runs it


def test_the_local_backend_still_refuses_a_container_task_before_any_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dockyard.errors import ConfigError
    from dockyard.runtime.remote import run_remote
    from dockyard.sdk.entities import load_entity

    monkeypatch.syspath_prepend(str(WORKFLOWS))
    with pytest.raises(ConfigError, match=r"^ContainerTask broken: not supported on the local backend yet$"):
        run_remote(
            load_entity("k8s_raw:failing"),
            {"x": 1},
            source_root=WORKFLOWS,
            settings=_settings(tmp_path, "local"),
        )
    assert not (tmp_path / "build").exists() and not (tmp_path / "store" / "executions").exists()


def test_a_dry_run_shows_the_container_tasks_pod(tmp_path: Path) -> None:
    import shutil

    import yaml
    from test_k8s_dry_run import dockyard

    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(WORKFLOWS / "k8s_raw.py", src / "k8s_raw.py")
    proc = dockyard(
        "run", "--remote", "--backend", "kubernetes", "--dry-run", str(src / "k8s_raw.py"), "pipeline",
        "--n", "3", "--scale", "2", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    pods = [doc for doc in yaml.safe_load_all(proc.stdout) if doc and doc["kind"] == "Pod"]
    for pod in pods:
        assert_valid(pod)
    (raw,) = [pod for pod in pods if pod["spec"].get("initContainers")]
    stage, user = raw["spec"]["initContainers"]
    assert user["image"] == DEBIAN and user["command"][-2:] == ["{{.inputs.scale}}", "/var/inputs/doc"]
    assert (
        stage["image"] == raw["spec"]["containers"][0]["image"] == pods[0]["spec"]["containers"][0]["image"]
    )
