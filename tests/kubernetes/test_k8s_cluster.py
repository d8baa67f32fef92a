"""The thin cluster layer, driving the real `kubernetes` client against a small stand-in API server.

No Kubernetes API server can run here; this HTTP server answers the few REST paths dockyard uses (create,
delete, read, list, watch, logs) the way the API server does, so the client's real requests, watch
streams and error statuses go through `Cluster`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from k8s_helpers import make_settings
from kubernetes import client
from test_k8s_task_pod import TEMPLATE

from dockyard.errors import BuildError
from dockyard.imagespec.context import BuildContext
from dockyard.kubernetes.builder import render_build_manifests
from dockyard.kubernetes.cluster import Cluster
from dockyard.kubernetes.cronjob import ScheduledLaunch, cron_job
from dockyard.kubernetes.task_pod import task_pod
from dockyard.runtime.executor import SecretRef, TaskAttempt
from dockyard.runtime.phase import Phase

NS = "ml"


def _pod(name: str, phase: str, code: int | None = None) -> dict[str, Any]:
    state: dict[str, Any] = (
        {"running": {}} if code is None else {"terminated": {"exitCode": code, "reason": "Error"}}
    )
    status = {
        "name": "buildkit",
        "image": "b",
        "imageID": "",
        "ready": False,
        "restartCount": 0,
        "state": state,
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": NS, "labels": {"job-name": "job-a"}},
        "status": {"phase": phase, "containerStatuses": [status]},
    }


class ApiState:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, Any] | None]] = []
        self.pods: dict[str, dict[str, Any]] = {}
        self.watch_events: list[dict[str, Any]] = []  # sent on the next watch, then the pod is updated
        self.forbid: set[str] = set()  # paths answering 403
        self.log = "line 1\nline 2\n"
        self.broken_watches = 0  # how many watch requests to answer with a connection that breaks
        self.objects: dict[str, str] = {}  # name -> collection path where it exists already (POST gives 409)


def _handler(state: ApiState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, code: int, body: Any, content_type: str = "application/json") -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _status(self, code: int, reason: str) -> None:
            self._send(
                code,
                {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": reason, "code": code},
            )

        def _record(self) -> tuple[str, dict[str, list[str]]]:
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            state.requests.append((self.command, url.path, body))
            return url.path, parse_qs(url.query)

        def do_POST(self) -> None:
            path, _ = self._record()
            if path in state.forbid:
                return self._status(403, "Forbidden")
            body = state.requests[-1][2]
            assert body is not None
            if path in state.objects.get(body["metadata"]["name"], ""):
                return self._status(409, "AlreadyExists")
            self._send(201, body)

        def do_PUT(self) -> None:
            self._record()
            self._send(200, state.requests[-1][2])

        def do_DELETE(self) -> None:
            path, _ = self._record()
            name = path.rsplit("/", 1)[-1]
            if "/pods/" in path and name not in state.pods:
                return self._status(404, "NotFound")
            if "/pods/" in path:  # the API server answers a pod's deletion with the pod
                return self._send(200, state.pods.pop(name))
            self._send(200, {"kind": "Status", "apiVersion": "v1", "status": "Success"})

        def do_GET(self) -> None:
            path, query = self._record()
            if path.endswith("/log"):
                name = path.split("/")[-2]
                return (
                    self._send(200, state.log.encode(), "text/plain")
                    if name in state.pods
                    else self._status(404, "NotFound")
                )
            if (
                path == f"/api/v1/namespaces/{NS}/pods"
                and query.get("watch") == ["true"]
                and state.broken_watches
            ):
                state.broken_watches -= 1  # promise more than is sent, then hang up: a dropped connection
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(b'{"type": "MODIFIED", "obj')
                self.close_connection = True
                return None
            if path == f"/api/v1/namespaces/{NS}/pods" and query.get("watch") == ["true"]:
                lines = b"".join(json.dumps(event).encode() + b"\n" for event in state.watch_events)
                for event in state.watch_events:
                    state.pods[event["object"]["metadata"]["name"]] = event["object"]
                state.watch_events = []
                return self._send(200, lines)
            if path == f"/api/v1/namespaces/{NS}/pods":
                return self._send(
                    200,
                    {
                        "kind": "PodList",
                        "apiVersion": "v1",
                        "metadata": {},
                        "items": list(state.pods.values()),
                    },
                )
            if path.startswith(f"/api/v1/namespaces/{NS}/pods/"):
                name = path.rsplit("/", 1)[-1]
                return (
                    self._send(200, state.pods[name]) if name in state.pods else self._status(404, "NotFound")
                )
            if path == f"/apis/batch/v1/namespaces/{NS}/jobs":  # no map Jobs here
                return self._send(
                    200, {"kind": "JobList", "apiVersion": "batch/v1", "metadata": {}, "items": []}
                )
            if path.startswith(f"/apis/batch/v1/namespaces/{NS}/cronjobs/"):
                name = path.rsplit("/", 1)[-1]
                cron = {
                    "apiVersion": "batch/v1",
                    "kind": "CronJob",
                    "metadata": {"name": name, "resourceVersion": "42"},
                }
                cron["spec"] = {
                    "schedule": "@daily",
                    "jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}},
                }
                return self._send(200, cron)
            if path == "/api/v1/nodes":
                node = {"metadata": {"name": "gpu-1", "labels": {"gpu": "A100", "driver": "550.54.15"}}}
                return self._send(
                    200, {"kind": "NodeList", "apiVersion": "v1", "metadata": {}, "items": [node]}
                )
            self._status(404, "NotFound")

    return Handler


@pytest.fixture
def api(request: pytest.FixtureRequest) -> Iterator[tuple[ApiState, Cluster]]:
    state = ApiState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    configuration = client.Configuration()
    configuration.host = f"http://127.0.0.1:{server.server_address[1]}"
    overrides = getattr(request, "param", {})
    cluster = Cluster(
        make_settings(**overrides).kubernetes, BuildError, api_client=client.ApiClient(configuration)
    )
    try:
        yield state, cluster
    finally:
        server.shutdown()
        server.server_close()


def test_create_and_delete_hit_the_right_paths(api: tuple[ApiState, Cluster], context: BuildContext) -> None:
    state, cluster = api
    secret, job = render_build_manifests(context, make_settings())
    launch = ScheduledLaunch(name="lp", image="i@sha256:" + "0" * 64, command=["true"], cron="@daily")
    cluster.create(secret)
    cluster.create(job)
    cluster.create(cron_job(launch, make_settings()))
    cluster.delete("Job", "j")
    cluster.delete("Pod", "gone")  # a 404 on delete is fine: it is gone already
    calls = [(method, path) for method, path, _ in state.requests]
    assert calls == [
        ("POST", f"/api/v1/namespaces/{NS}/secrets"),
        ("POST", f"/apis/batch/v1/namespaces/{NS}/jobs"),
        ("POST", f"/apis/batch/v1/namespaces/{NS}/cronjobs"),
        ("DELETE", f"/apis/batch/v1/namespaces/{NS}/jobs/j"),
        ("DELETE", f"/api/v1/namespaces/{NS}/pods/gone"),
    ]
    delete_body = state.requests[3][2]
    assert delete_body is not None and delete_body["propagationPolicy"] == "Background"
    assert state.requests[1][2] == job  # the manifest goes to the server as rendered


def test_forbidden_is_one_line_naming_rbac(api: tuple[ApiState, Cluster], context: BuildContext) -> None:
    state, cluster = api
    state.forbid.add(f"/apis/batch/v1/namespaces/{NS}/jobs")
    job = render_build_manifests(context, make_settings())[1]
    with pytest.raises(
        BuildError, match=r"forbids creating Job ml/dockyard-build-5f2c9a0e1d \(403 Forbidden\)"
    ):
        cluster.create(job)


def test_job_pod_wait_logs_and_tail(api: tuple[ApiState, Cluster]) -> None:
    state, cluster = api
    state.pods["job-a-x1"] = _pod("job-a-x1", "Pending")
    assert cluster.job_pod("job-a", 5) == "job-a-x1"
    # Pending -> Running arrives on the watch.
    state.watch_events = [{"type": "MODIFIED", "object": _pod("job-a-x1", "Running")}]
    verdict = cluster.wait_pod("job-a-x1", lambda v: v.state is Phase.RUNNING)
    assert verdict.state is Phase.RUNNING
    assert list(cluster.follow_logs("job-a-x1", "buildkit")) == ["line 1", "line 2"]
    state.watch_events = [{"type": "MODIFIED", "object": _pod("job-a-x1", "Failed", 2)}]
    verdict = cluster.wait_pod("job-a-x1", lambda v: False)
    assert verdict.state is Phase.FAILED and verdict.exit_code == 2
    assert cluster.log_tail("job-a-x1", "buildkit") == "line 1\nline 2\n"
    log_request = next(r for r in state.requests if r[1].endswith("/log"))
    assert log_request[1] == f"/api/v1/namespaces/{NS}/pods/job-a-x1/log"


def test_a_vanished_pod_is_reported_as_preempted(api: tuple[ApiState, Cluster]) -> None:
    _, cluster = api
    verdict = cluster.wait_pod("never-was", lambda v: False)
    assert verdict.state is Phase.PREEMPTED and "disappeared" in verdict.message
    assert cluster.log_tail("never-was", "primary") == ""


def test_node_labels(api: tuple[ApiState, Cluster]) -> None:
    state, cluster = api
    assert cluster.node_labels("gpu=A100") == [{"gpu": "A100", "driver": "550.54.15"}]
    assert state.requests[-1][1] == "/api/v1/nodes"


def test_an_invalid_manifest_is_one_line(api: tuple[ApiState, Cluster]) -> None:
    state, cluster = api
    with pytest.raises(
        BuildError, match=r"invalid manifest while creating Job ml/j: spec\.template: Field required"
    ):
        cluster.create({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {}})
    assert state.requests == []  # nothing reached the server


def test_the_client_accepts_a_full_task_pod(api: tuple[ApiState, Cluster]) -> None:
    state, cluster = api
    attempt = TaskAttempt(
        execution_id="e",
        node_id="n",
        attempt=0,
        image="i@sha256:" + "0" * 64,
        command=["dockyard-execute"],
        requests={"cpu": "1", "gpu": "1"},
        accelerator="A100",
        interruptible=True,
        timeout_s=10,
        secrets=(SecretRef("aws", "key"),),
        pod_template=TEMPLATE,
    )
    pod = task_pod(attempt, make_settings(), ["550.54.15"])
    cluster.create(pod)
    assert state.requests[-1][2] == pod


def test_registering_a_schedule_twice_replaces_the_cronjob(api: tuple[ApiState, Cluster]) -> None:
    state, cluster = api
    launch = ScheduledLaunch(name="lp", image="i@sha256:" + "0" * 64, command=["true"], cron="0 1 * * *")
    manifest = cron_job(launch, make_settings())
    collection = f"/apis/batch/v1/namespaces/{NS}/cronjobs"
    assert cluster.apply_cron_job(manifest) is True
    state.objects[manifest["metadata"]["name"]] = collection
    assert cluster.apply_cron_job(manifest) is False
    method, path, body = state.requests[-1]
    assert (method, path) == ("PUT", f"{collection}/{manifest['metadata']['name']}")
    assert body is not None and body["metadata"]["resourceVersion"] == "42"
    assert body["spec"]["schedule"] == "0 1 * * *"


@pytest.mark.parametrize("api", [{"schedule_timeout_s": 1}], indirect=True)
def test_unschedulable_for_too_long_is_final(api: tuple[ApiState, Cluster]) -> None:
    state, cluster = api
    pod = _pod("p", "Pending")
    del pod["status"]["containerStatuses"]
    pod["status"]["conditions"] = [
        {
            "type": "PodScheduled",
            "status": "False",
            "reason": "Unschedulable",
            "message": "0/2 nodes: Insufficient cpu",
        }
    ]
    state.pods["p"] = pod
    verdict = cluster.wait_pod("p", lambda v: False)
    assert verdict.state is Phase.FAILED and verdict.cause == "unschedulable"
    assert verdict.message == "pod cannot be scheduled: 0/2 nodes: Insufficient cpu (for 1s)"


def test_a_dropped_watch_is_resumed(api: tuple[ApiState, Cluster]) -> None:
    state, cluster = api
    state.pods["p"] = _pod("p", "Pending")
    state.broken_watches = 1
    state.watch_events = [{"type": "MODIFIED", "object": _pod("p", "Succeeded", 0)}]
    verdict = cluster.wait_pod("p", lambda v: False)
    assert verdict.state is Phase.SUCCEEDED
    watches = [r for r in state.requests if r[1] == f"/api/v1/namespaces/{NS}/pods"]
    assert len(watches) >= 2  # the broken one, then a new one


def test_waiting_for_a_jobs_pod_stops_on_cancel(api: tuple[ApiState, Cluster]) -> None:
    _, cluster = api
    with pytest.raises(KeyboardInterrupt):
        cluster.job_pod("job-never", 60, stop=lambda: True)
    with pytest.raises(BuildError, match=r"created no pod within 0s \(quota or service account\?"):
        cluster.job_pod("job-never", 0)


def test_a_gone_drivers_pods_are_deleted_after_their_logs_are_kept(api: tuple[ApiState, Cluster]) -> None:
    """Settling a run whose driver is gone removes its pods (`remove_execution`); each pod's whole log is
    read first and returned by (node, attempt), so the record keeps what the interrupted attempts printed."""
    from dockyard.kubernetes.executor import KubernetesExecutor

    state, cluster = api
    settings = make_settings()
    names = []
    for node, attempt in (("n0-n0", 0), ("n0-n1", 2)):
        pod = task_pod(
            TaskAttempt(
                execution_id="xgone",
                node_id=node,
                attempt=attempt,
                image="r.example.com/a@sha256:" + "e" * 64,
                command=["dockyard-execute"],
            ),
            settings,
        )
        names.append(pod["metadata"]["name"])
        state.pods[pod["metadata"]["name"]] = {**pod, "status": {"phase": "Running"}}
    state.log = "step 1\nstep 2 of 10\n"
    logs = KubernetesExecutor(settings, cluster=cluster).remove_execution("xgone")
    assert logs == {("n0-n0", 0): state.log, ("n0-n1", 2): state.log}
    assert state.pods == {}
    calls = [(method, path) for method, path, _ in state.requests]
    for name in names:
        read = calls.index(("GET", f"/api/v1/namespaces/{NS}/pods/{name}/log"))
        assert read < calls.index(("DELETE", f"/api/v1/namespaces/{NS}/pods/{name}"))
