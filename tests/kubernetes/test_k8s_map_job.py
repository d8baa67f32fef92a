"""A map_task on Kubernetes is one Indexed Job: the manifest (schema-valid for every supported minor,
golden), the reading of its status into items, and a whole run through the driver against a stand-in
API server that plays the Job controller (no cluster runs here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from k8s_helpers import assert_valid, check_golden, make_settings

from dockyard.errors import ExecutionError
from dockyard.kubernetes.executor import KubernetesExecutor
from dockyard.kubernetes.map_job import INDEX_REF, INDEX_VAR, MapShape, map_job, map_outcome, parse_indexes
from dockyard.kubernetes.naming import to_yaml
from dockyard.runtime.executor import TaskAttempt
from dockyard.runtime.phase import Phase

WORKFLOWS = Path(__file__).parent / "workflows"
IMAGE = "registry.example.com/ml/items@sha256:" + "cd" * 32


def _item_attempt() -> TaskAttempt:
    item = f"n0-n1-{INDEX_REF}"
    prefix = f"s3://b/executions/ex1/nodes/{item}/0"
    return TaskAttempt(
        execution_id="ex1",
        node_id="n0-n1",
        attempt=0,
        image=IMAGE,
        command=[
            "dockyard-execute",
            "--inputs",
            "s3://b/executions/ex1/nodes/n0-n1/inputs.json",
            "--output-prefix",
            f"{prefix}/outputs",
            "--node-id",
            item,
            "--map-index",
            INDEX_REF,
            "--map-bound",
            "",
        ],
        env={"DOCKYARD_STORE_URL": "s3://b"},
        requests={"cpu": "1"},
        timeout_s=600,
    )


def test_indexed_job_manifest_is_valid_and_golden() -> None:
    job = map_job(
        _item_attempt(), MapShape(items=2000, parallelism=16, retries=2, max_failed=200), make_settings()
    )
    assert_valid(job)
    check_golden("map-indexed-job.yaml", to_yaml([job]))
    spec = job["spec"]
    assert (spec["completionMode"], spec["completions"], spec["parallelism"]) == ("Indexed", 2000, 16)
    assert (spec["backoffLimitPerIndex"], spec["maxFailedIndexes"]) == (2, 200)
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] == "Never"  # backoffLimitPerIndex requires it
    (container,) = pod["containers"]
    assert container["env"][0]["name"] == INDEX_VAR  # defined before anything refers to it
    assert "job-completion-index" in container["env"][0]["valueFrom"]["fieldRef"]["fieldPath"]
    assert container["command"][container["command"].index("--map-index") + 1] == f"$({INDEX_VAR})"
    labels = spec["template"]["metadata"]["labels"]
    assert (
        labels["dockyard.io/node-id"] == "n0-n1"
        and job["metadata"]["labels"]["dockyard.io/component"] == "map"
    )


def _job_with_status(status: dict[str, Any]) -> dict[str, Any]:
    job = map_job(_item_attempt(), MapShape(items=6, parallelism=2, retries=1, max_failed=2), make_settings())
    return {**job, "status": status}


@pytest.mark.parametrize(
    ("status", "phases", "reason"),
    [
        (
            {
                "completedIndexes": "0-5",
                "succeeded": 6,
                "conditions": [{"type": "Complete", "status": "True"}],
            },
            "ssssss",
            "",
        ),
        (  # within maxFailedIndexes: every index ran; the Job is Failed (FailedIndexes), the ratio decides
            {
                "completedIndexes": "0,2-3,5",
                "failedIndexes": "1,4",
                "succeeded": 4,
                "failed": 4,
                "conditions": [
                    {
                        "type": "Failed",
                        "status": "True",
                        "reason": "FailedIndexes",
                        "message": "Job has failed indexes",
                    }
                ],
            },
            "sfssfs",
            "FailedIndexes: Job has failed indexes",
        ),
        (  # past maxFailedIndexes: the controller stopped; indexes that never finished are aborted
            {
                "completedIndexes": "0",
                "failedIndexes": "1-3",
                "succeeded": 1,
                "failed": 6,
                "conditions": [
                    {
                        "type": "Failed",
                        "status": "True",
                        "reason": "MaxFailedIndexesExceeded",
                        "message": "Job has exceeded the specified maximal number of failed indexes",
                    }
                ],
            },
            "sfffaa",
            "MaxFailedIndexesExceeded: Job has exceeded the specified maximal number of failed indexes",
        ),
    ],
)
def test_status_maps_onto_item_phases(status: dict[str, Any], phases: str, reason: str) -> None:
    assert_valid(_job_with_status(status))  # the status is one the API server can hold
    outcome = map_outcome(status, 6)
    letters = {Phase.SUCCEEDED: "s", Phase.FAILED: "f", Phase.ABORTED: "a"}
    assert "".join(letters[p] for p in outcome.phases) == phases
    assert outcome.message == reason
    assert outcome.succeeded == phases.count("s")


def test_parse_indexes() -> None:
    assert parse_indexes("1,3-5,7") == {1, 3, 4, 5, 7}
    assert parse_indexes("") == set() and parse_indexes(None) == set()


class JobController:
    """A stand-in API server for one Indexed Job at a time: `create` checks the manifest against the
    upstream schemas, then plays the Job controller: each index's pod runs the pod's own command in
    process (with `$(DOCKYARD_MAP_INDEX)` expanded, as the kubelet expands it), up to backoffLimitPerIndex
    retries, stopping once more than maxFailedIndexes indexes failed. Pods it is asked to create are
    counted too: a map must create none."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.jobs: dict[str, dict[str, Any]] = {}
        self.pods: dict[str, tuple[int, str]] = {}  # name -> (index, log)
        self.created: list[str] = []
        self.deleted: list[tuple[str, str]] = []
        self.runs: dict[int, int] = {}

    def create(self, manifest: dict[str, Any]) -> None:
        assert_valid(manifest)
        self.created.append(manifest["kind"])
        if manifest["kind"] == "Pod":
            self._pod(manifest)
            return
        self.jobs[manifest["metadata"]["name"]] = manifest

    def _run(self, container: dict[str, Any], index: int | None) -> tuple[int, str]:
        from dockyard.runtime.entrypoint import parse_args, run_attempt

        argv = [a.replace(f"$({INDEX_VAR})", str(index)) for a in container["command"]]
        return run_attempt(parse_args(argv[1:]), self.store)

    def _pod(self, manifest: dict[str, Any]) -> None:
        status, log = self._run(manifest["spec"]["containers"][0], None)
        self.pods[manifest["metadata"]["name"]] = (status, log)

    def wait_pod(self, name: str, until: Any) -> Any:
        from dockyard.kubernetes.pod_status import PodVerdict

        status = self.pods[name][0]
        return PodVerdict(Phase.SUCCEEDED if status == 0 else Phase.FAILED, exit_code=status)

    def wait_job(self, name: str) -> dict[str, Any]:
        spec = self.jobs[name]["spec"]
        container = spec["template"]["spec"]["containers"][0]
        done, failed = [], []
        for index in range(spec["completions"]):
            if len(failed) > spec["maxFailedIndexes"]:
                break
            for _ in range(spec["backoffLimitPerIndex"] + 1):
                self.runs[index] = self.runs.get(index, 0) + 1
                status, log = self._run(container, index)
                self.pods[f"{name}-{index}-{self.runs[index]}"] = (index, log)
                if status == 0:
                    break
            (done if status == 0 else failed).append(index)
        conditions = [{"type": "Complete", "status": "True"}]
        if len(failed) > spec["maxFailedIndexes"]:
            conditions = [{"type": "Failed", "status": "True", "reason": "MaxFailedIndexesExceeded"}]
        elif failed:
            conditions = [{"type": "Failed", "status": "True", "reason": "FailedIndexes"}]
        status_doc = {
            "completedIndexes": ",".join(map(str, done)),
            "failedIndexes": ",".join(map(str, failed)),
            "conditions": conditions,
        }
        assert_valid({**self.jobs[name], "status": status_doc})
        return status_doc

    def job_pods(self, job: str) -> dict[int, str]:
        return {index: name for name, (index, _) in self.pods.items() if name.startswith(job)}

    def log_tail(self, pod: str, container: str, lines: int = 40) -> str:
        return self.pods[pod][1]

    def delete(self, kind: str, name: str) -> None:
        self.deleted.append((kind, name))

    def node_labels(self, selector: str) -> list[dict[str, str]]:
        return []


def _run(workflow: str, xs: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from dockyard.config import load_settings
    from dockyard.runtime.blobstore import LocalStore
    from dockyard.runtime.orchestrator import execute_remote
    from dockyard.sdk.entities import load_entity

    monkeypatch.syspath_prepend(str(WORKFLOWS))
    monkeypatch.chdir(tmp_path)
    store = LocalStore(f"file://{tmp_path}/store")
    settings = load_settings({"store": {"url": store.url}}, project_dir=tmp_path, environ={})
    cluster = JobController(store)
    executor = KubernetesExecutor(settings, cluster=cluster)
    entity = load_entity(f"k8s_map:{workflow}")
    run = lambda: execute_remote(  # noqa: E731
        entity, {"xs": xs}, settings=settings, store=store, executor=executor, images={"default": IMAGE}
    )
    return run, cluster, store


def test_a_map_runs_as_one_indexed_job_and_tolerates_what_its_ratio_allows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dockyard.runtime.record import load_record

    run, cluster, store = _run("tolerant", [1, -2, 3, 4], tmp_path, monkeypatch)
    result = run()
    assert result.outputs == [10, None, 30, 40]
    assert cluster.created == ["Job"]  # one Job, no pod created by the driver
    assert cluster.deleted == [("Job", next(iter(cluster.jobs)))]
    assert cluster.runs == {0: 1, 1: 2, 2: 1, 3: 1}  # the failing item was retried once (retries=1)
    record = load_record(store, result.execution_id)
    items = {n: record.nodes[f"n0-n0-{n}"] for n in range(4)}
    assert [items[n].phase for n in range(4)] == [
        Phase.SUCCEEDED,
        Phase.FAILED,
        Phase.SUCCEEDED,
        Phase.SUCCEEDED,
    ]
    assert "negative input -2" in items[1].message
    assert items[1].attempts[0].error_kind == "user"
    logs = store.read_bytes(items[2].attempts[-1].logs_uri or "").decode()
    assert "outputs.json" in logs  # each item keeps its pod's log


def test_a_map_fails_when_its_ratio_is_not_met(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dockyard.runtime.record import load_record

    run, cluster, store = _run("strict", [1, -2, -3, 4, 5], tmp_path, monkeypatch)
    with pytest.raises(ExecutionError, match="negative input -2"):
        run()
    (job,) = cluster.jobs.values()
    assert job["spec"]["maxFailedIndexes"] == 0 and job["spec"]["parallelism"] == 3
    assert set(cluster.runs) == {0, 1}  # the controller stopped after the first failed index
    record = load_record(store, next(p.name for p in (tmp_path / "store" / "executions").iterdir()))
    phases = [record.nodes[f"n0-n0-{n}"].phase for n in range(5)]
    assert phases == [Phase.SUCCEEDED, Phase.FAILED, Phase.ABORTED, Phase.ABORTED, Phase.ABORTED]
    assert record.phase is Phase.FAILED


def test_a_resumed_map_runs_only_its_unfinished_items(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dockyard.runtime.orchestrator import execute_remote

    run, cluster, store = _run("strict", [1, -2, 3], tmp_path, monkeypatch)
    with pytest.raises(ExecutionError):
        run()
    execution_id = next(p.name for p in (tmp_path / "store" / "executions").iterdir())
    cluster.created.clear()
    executor = KubernetesExecutor(make_settings(), cluster=cluster)
    from dockyard.config import load_settings
    from dockyard.sdk.entities import load_entity

    settings = load_settings({"store": {"url": store.url}}, project_dir=tmp_path, environ={})
    with pytest.raises(ExecutionError, match="negative input -2"):
        execute_remote(
            load_entity("k8s_map:strict"),
            {},
            settings=settings,
            store=store,
            executor=executor,
            images={"default": IMAGE},
            execution_id=execution_id,
            resume=True,
        )
    # item 0 succeeded before: not run again; items 1 and 2 (never finished) run as pods, one by one
    assert cluster.created == ["Pod", "Pod", "Pod"]  # item 1 twice (retries=1), item 2 once
