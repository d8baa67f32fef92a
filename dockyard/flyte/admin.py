"""`dockyard register --flyte ENDPOINT`: the package's documents registered through FlyteAdmin's gRPC API.

As `pyflyte register` does it: the fast-registration archive is uploaded where FlyteAdmin's DataProxy
signs a URL for it (`CreateUploadLocation`, then an HTTP PUT with its Content-MD5), its native URL replaces
`{{ .remote_package_path }}` in the task args, every identifier gets the project, domain and version, and the
entities are created in registration order (tasks, then each workflow after the launch plans it calls).
An entity that already exists is fine (FlyteAdmin refuses a different one under the same version).
`--activate-launchplans` activates every launch plan afterwards, as pyflyte's flag does.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

import grpc
from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2
from flyteidl.service import admin_pb2_grpc, dataproxy_pb2, dataproxy_pb2_grpc
from google.protobuf.message import Message

from dockyard.errors import ConfigError, DockyardError
from dockyard.flyte.package import LAUNCH_PLAN, TASK, WORKFLOW, Package
from dockyard.flyte.serialize import FAST_ARGS


class AdminError(DockyardError):
    """FlyteAdmin refused or could not be reached."""

    exit_code = 5


@dataclass(frozen=True)
class Target:
    endpoint: str
    project: str
    domain: str
    version: str
    insecure: bool = False


def channel(target: Target) -> grpc.Channel:
    if target.insecure:
        return grpc.insecure_channel(target.endpoint)
    return grpc.secure_channel(target.endpoint, grpc.ssl_channel_credentials())


def hydrate(message: Message, target: Target) -> None:
    """Fill project, domain and version into every identifier that lacks them (flytectl's hydration)."""
    if isinstance(message, identifier_pb2.Identifier):
        message.project = message.project or target.project
        message.domain = message.domain or target.domain
        message.version = message.version or target.version
        return
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:
            for item in value.values():
                if isinstance(item, Message):
                    hydrate(item, target)
        elif isinstance(value, Message):
            hydrate(value, target)
        else:  # a repeated message field
            for item in value:
                hydrate(item, target)


def _filled(args: list[str], remote_path: str) -> list[str]:
    values = {FAST_ARGS[1]: remote_path, FAST_ARGS[3]: "."}
    return [values.get(a, a) for a in args]


def fill_fast_args(spec: task_pb2.TaskSpec, remote_path: str) -> None:
    """Put the uploaded archive's URL where flytectl would: the container args, or the pod's containers."""
    from google.protobuf import json_format

    template = spec.template
    if template.HasField("container"):
        filled = _filled(list(template.container.args), remote_path)
        del template.container.args[:]
        template.container.args.extend(filled)
    if template.HasField("k8s_pod"):
        pod = json_format.MessageToDict(template.k8s_pod.pod_spec)
        for container in pod.get("containers", []):
            container["args"] = _filled(container.get("args", []), remote_path)
        template.k8s_pod.pod_spec.Clear()
        template.k8s_pod.pod_spec.update(pod)


def upload_archive(target: Target, chan: grpc.Channel, name: str, data: bytes) -> str:
    """PUT the archive where DataProxy's signed URL says; returns its native URL (s3://...)."""
    import httpx

    md5 = hashlib.md5(data).digest()
    stub = dataproxy_pb2_grpc.DataProxyServiceStub(chan)
    try:
        location = stub.CreateUploadLocation(
            dataproxy_pb2.CreateUploadLocationRequest(
                project=target.project,
                domain=target.domain,
                filename=name,
                content_md5=md5,
                filename_root=md5.hex(),
            )
        )
    except grpc.RpcError as exc:
        raise AdminError(f"FlyteAdmin {target.endpoint}: CreateUploadLocation: {exc.details()}") from None
    headers = {"Content-MD5": base64.b64encode(md5).decode(), **dict(location.headers)}
    response = httpx.put(location.signed_url, content=data, headers=headers, timeout=300)
    if response.status_code >= 300:
        raise AdminError(f"upload of {name}: the signed URL answered {response.status_code}")
    return str(location.native_url)


def register(
    pkg: Package, target: Target, *, archive: tuple[str, bytes] | None, activate: bool
) -> list[tuple[int, str]]:
    """Create every document's entity; returns (kind, name) in the order they were registered."""
    chan = channel(target)
    try:
        stub = admin_pb2_grpc.AdminServiceStub(chan)
        remote_path = upload_archive(target, chan, *archive) if archive is not None else None
        done: list[tuple[int, str]] = []
        for doc in pkg.documents:
            message = type(doc.message)()
            message.CopyFrom(doc.message)
            if doc.kind == TASK and remote_path is not None:
                fill_fast_args(message, remote_path)
            hydrate(message, target)
            _create(stub, doc.kind, message, target)
            done.append((doc.kind, doc.name))
        if activate:
            for doc in pkg.documents:
                if doc.kind == LAUNCH_PLAN:
                    _activate(stub, doc.name, target)
        return done
    finally:
        chan.close()


def _create(stub: Any, kind: int, message: Any, target: Target) -> None:
    try:
        if kind == TASK:
            stub.CreateTask(task_pb2.TaskCreateRequest(id=message.template.id, spec=message))
        elif kind == WORKFLOW:
            stub.CreateWorkflow(workflow_pb2.WorkflowCreateRequest(id=message.template.id, spec=message))
        else:
            stub.CreateLaunchPlan(launch_plan_pb2.LaunchPlanCreateRequest(id=message.id, spec=message.spec))
    except grpc.RpcError as exc:
        if exc.code() == grpc.StatusCode.ALREADY_EXISTS:
            return
        name = message.id.name if kind == LAUNCH_PLAN else message.template.id.name
        raise AdminError(
            f"FlyteAdmin {target.endpoint}: {name}: {exc.code().name}: {exc.details()}"
        ) from None


def _activate(stub: Any, name: str, target: Target) -> None:
    lp_id = identifier_pb2.Identifier(
        resource_type=identifier_pb2.LAUNCH_PLAN,
        project=target.project,
        domain=target.domain,
        name=name,
        version=target.version,
    )
    try:
        stub.UpdateLaunchPlan(launch_plan_pb2.LaunchPlanUpdateRequest(id=lp_id, state=launch_plan_pb2.ACTIVE))
    except grpc.RpcError as exc:
        raise AdminError(f"FlyteAdmin {target.endpoint}: activate {name}: {exc.details()}") from None


def default_version(pkg: Package, archive: tuple[str, bytes] | None) -> str:
    """A version from the content (the documents and the code), as pyflyte derives one from the archive."""
    digest = hashlib.sha256()
    for name, data in pkg.files():
        digest.update(name.encode() + b"\0" + data)
    if archive is not None:
        digest.update(archive[1])
    return digest.hexdigest()[:22]


def check_endpoint(endpoint: str) -> str:
    if not endpoint or "/" in endpoint.split(":", 1)[0] or ":" not in endpoint:
        raise ConfigError(f"--flyte {endpoint!r}: give FlyteAdmin's gRPC endpoint as host:port")
    return endpoint
