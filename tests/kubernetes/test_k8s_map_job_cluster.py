"""The cluster layer's Job calls behind the map task's Indexed Job, with the real `kubernetes` client
against the stand-in API server of test_k8s_cluster (extended with the Job paths they use)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from k8s_helpers import assert_valid, make_settings
from kubernetes import client
from test_k8s_cluster import NS, ApiState, _handler

from dockyard.errors import ExecutionError
from dockyard.kubernetes.cluster import Cluster
from dockyard.kubernetes.executor import KubernetesExecutor
from dockyard.kubernetes.map_job import INDEX_REF, MapShape
from dockyard.runtime.executor import TaskAttempt
from dockyard.runtime.phase import Phase

JOBS = f"/apis/batch/v1/namespaces/{NS}/jobs"


class JobState(ApiState):
    def __init__(self) -> None:
        super().__init__()
        self.job: dict[str, Any] | None = None  # the Job as created; its status changes on the watch
        self.final_status: dict[str, Any] = {}


def _job_handler(state: JobState) -> type[Any]:
    base = _handler(state)

    class Handler(base):  # type: ignore[misc,valid-type]
        def do_POST(self) -> None:
            if urlparse(self.path).path == JOBS:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length))
                state.requests.append(("POST", JOBS, body))
                state.job = {**body, "status": {"active": 2}}
                return self._send(201, state.job)
            return super().do_POST()

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if url.path == JOBS:
                state.requests.append(("GET", url.path + "?" + url.query, None))
                if query.get("watch") == ["true"]:  # the Job finishes while watched
                    assert state.job is not None
                    state.job = {**state.job, "status": state.final_status}
                    return self._send(
                        200, json.dumps({"type": "MODIFIED", "object": state.job}).encode() + b"\n"
                    )
                items = [state.job] if state.job else []
                return self._send(
                    200, {"kind": "JobList", "apiVersion": "batch/v1", "metadata": {}, "items": items}
                )
            if url.path.startswith(JOBS + "/"):  # a Job is read whole (RBAC: get jobs, not jobs/status)
                state.requests.append(("GET", url.path, None))
                return self._send(200, state.job) if state.job else self._status(404, "NotFound")
            return super().do_GET()

    return Handler


@pytest.fixture
def api() -> Iterator[tuple[JobState, Cluster]]:
    state = JobState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _job_handler(state))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    configuration = client.Configuration()
    configuration.host = f"http://127.0.0.1:{server.server_address[1]}"
    cluster = Cluster(make_settings().kubernetes, ExecutionError, api_client=client.ApiClient(configuration))
    try:
        yield state, cluster
    finally:
        server.shutdown()
        server.server_close()


def _index_pod(name: str, index: int, created: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": NS,
            "creationTimestamp": created,
            "labels": {"job-name": "j"},
            "annotations": {"batch.kubernetes.io/job-completion-index": str(index)},
        },
    }


def test_an_indexed_job_is_created_watched_read_and_deleted(api: tuple[JobState, Cluster]) -> None:
    state, cluster = api
    state.final_status = {
        "completedIndexes": "0,2",
        "failedIndexes": "1",
        "conditions": [
            {"type": "Failed", "status": "True", "reason": "FailedIndexes", "message": "1 failed"}
        ],
    }
    state.pods = {  # index 1 was tried twice: its newer pod's log is the one kept
        "j-0-a": _index_pod("j-0-a", 0, "2026-01-01T00:00:00Z"),
        "j-1-a": _index_pod("j-1-a", 1, "2026-01-01T00:00:00Z"),
        "j-1-b": _index_pod("j-1-b", 1, "2026-01-01T00:01:00Z"),
        "j-2-a": _index_pod("j-2-a", 2, "2026-01-01T00:00:00Z"),
    }
    executor = KubernetesExecutor(make_settings(), cluster=cluster)
    attempt = TaskAttempt(
        execution_id="ex9",
        node_id="n0-n1",
        attempt=0,
        image="r.example.com/a@sha256:" + "e" * 64,
        command=["dockyard-execute", "--map-index", INDEX_REF],
    )
    handle = executor.launch_map(attempt, "n0-n1", MapShape(items=3, parallelism=2, retries=1, max_failed=1))
    created = state.requests[0][2]
    assert created is not None and created["kind"] == "Job"
    assert_valid(created)
    outcome = executor.wait_map(handle)
    assert outcome.phases == [Phase.SUCCEEDED, Phase.FAILED, Phase.SUCCEEDED]
    assert outcome.message == "FailedIndexes: 1 failed"
    assert handle.logs == {0: "line 1\nline 2\n", 1: "line 1\nline 2\n", 2: "line 1\nline 2\n"}
    paths = [(method, path) for method, path, _ in state.requests]
    assert ("GET", f"/api/v1/namespaces/{NS}/pods/j-1-b/log") in paths
    assert ("GET", f"/api/v1/namespaces/{NS}/pods/j-1-a/log") not in paths
    assert paths[-1] == ("DELETE", f"{JOBS}/{handle.name}")  # the Job and its pods go at the end


def test_a_gone_drivers_map_jobs_are_deleted_before_its_pods(api: tuple[JobState, Cluster]) -> None:
    state, cluster = api
    state.job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "dockyard-ex9-n0-n1-map-0"}}
    KubernetesExecutor(make_settings(), cluster=cluster).remove_execution("ex9")
    calls = [(method, path) for method, path, _ in state.requests]
    listed = urlparse(calls[0][1])
    assert listed.path == JOBS
    assert parse_qs(listed.query)["labelSelector"] == [
        "dockyard.io/execution-id=ex9,dockyard.io/component=map"
    ]
    assert calls[1] == ("DELETE", f"{JOBS}/dockyard-ex9-n0-n1-map-0")
    assert calls[2][1] == f"/api/v1/namespaces/{NS}/pods"
