"""`dockyard register --flyte` against a stand-in FlyteAdmin built from flyteidl's own service stubs: it
records every request, signs upload URLs on moto's S3, and the recorded documents are checked against
`pyflyte package`'s (the reference of test_differential.py), hydrated with the same project/domain/version."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import boto3
import grpc
import pytest
from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.service import admin_pb2_grpc, dataproxy_pb2, dataproxy_pb2_grpc
from google.protobuf import json_format

from dockyard.flyte.admin import Target, hydrate
from tests.flyte.compare import KINDS, differences, normalize
from tests.flyte.conftest import copy_workflows, dockyard_cli

pytestmark = pytest.mark.s3

PROJECT, DOMAIN, VERSION = "flytesnacks", "development", "v1"


class StandInAdmin(admin_pb2_grpc.AdminServiceServicer, dataproxy_pb2_grpc.DataProxyServiceServicer):
    """FlyteAdmin's registration calls: records them, refuses a different entity under a taken id."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3, self.bucket = s3, bucket
        self.created: list[tuple[str, Any]] = []
        self.activated: list[Any] = []
        self.uploads: list[Any] = []
        self.refuse: str | None = None
        self._seen: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def _record(self, kind: str, request: Any, context: Any) -> None:
        key = f"{kind}/{request.id.name}/{request.id.version}"
        body = request.spec.SerializeToString(deterministic=True)
        with self._lock:
            if self.refuse and request.id.name == self.refuse:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"{request.id.name} is not valid")
            if key in self._seen:
                if self._seen[key] != body:
                    context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"{key} exists with a different spec")
                context.abort(grpc.StatusCode.ALREADY_EXISTS, f"{key} already exists")
            self._seen[key] = body
            self.created.append((kind, request))

    def CreateTask(self, request: Any, context: Any) -> Any:
        self._record("task", request, context)
        return task_pb2.TaskCreateResponse()

    def CreateWorkflow(self, request: Any, context: Any) -> Any:
        self._record("workflow", request, context)
        return workflow_pb2.WorkflowCreateResponse()

    def CreateLaunchPlan(self, request: Any, context: Any) -> Any:
        self._record("launch_plan", request, context)
        return launch_plan_pb2.LaunchPlanCreateResponse()

    def UpdateLaunchPlan(self, request: Any, context: Any) -> Any:
        self.activated.append(request)
        return launch_plan_pb2.LaunchPlanUpdateResponse()

    def CreateUploadLocation(self, request: Any, context: Any) -> Any:
        self.uploads.append(request)
        key = f"{request.project}/{request.domain}/{request.filename_root}/{request.filename}"
        # signed for a PUT of that key; the client's Content-MD5 header makes S3 check the body
        url = self.s3.generate_presigned_url(
            "put_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=600
        )
        return dataproxy_pb2.CreateUploadLocationResponse(
            signed_url=url, native_url=f"s3://{self.bucket}/{key}"
        )


@pytest.fixture
def admin(s3_bucket: str, s3_server: str) -> Iterator[tuple[StandInAdmin, int]]:
    s3 = boto3.client("s3", endpoint_url=s3_server)
    servicer = StandInAdmin(s3, s3_bucket)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    admin_pb2_grpc.add_AdminServiceServicer_to_server(servicer, server)
    dataproxy_pb2_grpc.add_DataProxyServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield servicer, port
    server.stop(None)


def _register(src: Path, port: int, *extra: str) -> Any:
    return dockyard_cli(
        "register",
        "fwf",
        "--flyte",
        f"127.0.0.1:{port}",
        "--insecure",
        "--project",
        PROJECT,
        "--domain",
        DOMAIN,
        "--version",
        VERSION,
        *extra,
        cwd=src,
    )


def _reference(pyflyte_archive: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """pyflyte's documents, hydrated as flytectl would hydrate them for this project/domain/version."""
    import tarfile

    target = Target("", PROJECT, DOMAIN, VERSION)
    docs = {}
    with tarfile.open(pyflyte_archive) as tar:
        for member in tar.getmembers():
            stem = member.name[: -len(".pb")]
            kind, name = stem.rsplit("_", 1)[1], stem.split("_", 1)[1].rsplit("_", 1)[0]
            message = KINDS[kind]()
            message.ParseFromString(tar.extractfile(member).read())  # type: ignore[union-attr]
            hydrate(message, target)
            docs[(kind, name)] = normalize(json_format.MessageToDict(message))
    return docs


def test_register_matches_pyflyte_documents(
    admin: tuple[StandInAdmin, int], tmp_path: Path, pyflyte_archive: Path, s3_server: str
) -> None:
    servicer, port = admin
    src = copy_workflows(tmp_path, "dockyard")
    result = _register(src, port, "--activate-launchplans")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == VERSION

    reference = _reference(pyflyte_archive)
    recorded = {}
    kinds = {"task": "1", "workflow": "2", "launch_plan": "3"}
    for kind, request in servicer.created:
        assert request.id.project == PROJECT and request.id.domain == DOMAIN and request.id.version == VERSION
        if kind == "launch_plan":
            doc = launch_plan_pb2.LaunchPlan(id=request.id, spec=request.spec)
            doc.closure.expected_inputs.SetInParent()
            doc.closure.expected_outputs.SetInParent()
        else:
            doc = request.spec
        recorded[(kinds[kind], request.id.name)] = normalize(json_format.MessageToDict(doc))
    assert sorted(recorded) == sorted(reference)
    report = [f"{k}: {d}" for k in sorted(reference) for d in differences(recorded[k], reference[k])]
    assert not report, "\n".join(report[:40])

    # registration order: what a node references was created before it
    order = [(kind, r.id.name) for kind, r in servicer.created]
    assert order.index(("launch_plan", "child_lp")) < order.index(
        ("workflow", "fwf.composition.calls_launch_plan")
    )
    assert max(i for i, (k, _) in enumerate(order) if k == "task") < min(
        i for i, (k, _) in enumerate(order) if k == "workflow"
    )
    # --activate-launchplans: every launch plan, this version
    activated = {(r.id.name, r.id.version, r.state) for r in servicer.activated}
    plans = {name for kind, name in order if kind == "launch_plan"}
    assert activated == {(name, VERSION, launch_plan_pb2.ACTIVE) for name in plans}


def test_fast_archive_goes_where_the_signed_url_says(
    admin: tuple[StandInAdmin, int], tmp_path: Path, s3_server: str, s3_bucket: str
) -> None:
    servicer, port = admin
    src = copy_workflows(tmp_path, "dockyard")
    result = _register(src, port)
    assert result.returncode == 0, result.stderr
    (upload,) = servicer.uploads
    assert upload.filename.startswith("fast") and upload.filename.endswith(".tar.gz")
    native = f"s3://{s3_bucket}/{PROJECT}/{DOMAIN}/{upload.filename_root}/{upload.filename}"
    body = boto3.client("s3", endpoint_url=s3_server).get_object(
        Bucket=s3_bucket, Key=native.split("/", 3)[3]
    )
    import hashlib
    import io
    import tarfile

    data = body["Body"].read()
    assert hashlib.md5(data).digest() == upload.content_md5
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        names = tar.getnames()
    assert "fwf/basics.py" in names and not any("__pycache__" in n for n in names)
    task = next(r for k, r in servicer.created if k == "task" and r.id.name == "fwf.basics.add")
    args = list(task.spec.template.container.args)
    assert args[args.index("--additional-distribution") + 1] == native
    assert args[args.index("--dest-dir") + 1] == "."
    assert not servicer.activated  # only with --activate-launchplans


def test_same_version_again_is_fine_and_a_refusal_is_one_line(
    admin: tuple[StandInAdmin, int], tmp_path: Path
) -> None:
    servicer, port = admin
    src = copy_workflows(tmp_path, "dockyard")
    assert _register(src, port).returncode == 0
    first = len(servicer.created)
    again = _register(src, port)
    assert again.returncode == 0, again.stderr  # ALREADY_EXISTS with the same spec is not an error
    assert len(servicer.created) == first
    servicer.refuse = "fwf.basics.add"
    refused = dockyard_cli(
        "register",
        "fwf",
        "--flyte",
        f"127.0.0.1:{port}",
        "--insecure",
        "--version",
        f"v-{uuid.uuid4().hex[:6]}",
        cwd=src,
    )
    assert refused.returncode == 5
    lines = refused.stderr.strip().splitlines()
    assert (
        len(lines) == 1
        and lines[0].startswith("error: FlyteAdmin 127.0.0.1:")
        and "fwf.basics.add" in lines[0]
    )


def test_bad_endpoint_is_bad_input(tmp_path: Path) -> None:
    src = copy_workflows(tmp_path, "dockyard")
    result = dockyard_cli("register", "fwf", "--flyte", "not an endpoint", cwd=src)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: --flyte 'not an endpoint'")
