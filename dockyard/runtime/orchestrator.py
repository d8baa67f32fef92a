"""The remote driver: the SDK's graph walker with a task runner that runs each attempt in a container.

The walker (shared with local execution) decides *what* runs: parallel independent nodes, map items
with their concurrency and success ratio, conditionals, dynamic sub-DAGs. This runner decides *how* one
task runs remotely: cache catalog lookup, input upload, container attempts through an `Executor` with
retries that carry the checkpoint, output download, and every step written to the execution record.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from dockyard.config import Settings
from dockyard.errors import DockyardError, ExecutionError
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.cache import StoreCatalog
from dockyard.runtime.executor import Executor, Outcome, Phase, SecretRef, TaskAttempt
from dockyard.runtime.protocol import OUTPUTS, SUBGRAPH, AttemptPaths, read_error
from dockyard.runtime.record import NodePhase, RecordWriter

DEFAULT_IMAGE = "default"
SYSTEM_RETRIES = 2  # attempts lost to the platform (a killed container) do not use up the task's retries


def image_key(task: Any) -> str:
    """The key under which a task's image is pinned: the ImageSpec identity, an image name, or default."""
    image = getattr(task, "container_image", None)
    if image is None:
        return DEFAULT_IMAGE
    if isinstance(image, str):
        return image
    return str(image.identity())


def new_execution_id() -> str:
    return "x" + uuid.uuid4().hex[:12]


def _seconds(timeout: Any) -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, dt.timedelta):
        return timeout.total_seconds()
    return float(timeout)


def _resources(value: Any) -> dict[str, str]:
    """A flytekit `Resources` as the executor's dict (cpu, mem, gpu, ephemeral_storage)."""
    if value is None:
        return {}
    out: dict[str, str] = {}
    for name in ("cpu", "mem", "gpu", "ephemeral_storage"):
        item = getattr(value, name, None)
        if isinstance(item, tuple):
            item = item[0]
        if item is not None:
            out[name] = str(item)
    return out


@dataclass
class RemoteContext:
    """Everything the runner needs about the execution it belongs to."""

    execution_id: str
    store: Store
    executor: Executor
    writer: RecordWriter
    settings: Settings
    images: dict[str, str]  # image_key -> repo@sha256:…
    bundle_uri: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    system_retries: int = SYSTEM_RETRIES
    cancelled: threading.Event = field(default_factory=threading.Event)


class TaskFailed(ExecutionError):
    """A task failed for good: every attempt is used up, or the error was final."""


class ContainerTaskRunner:
    """Runs one task node (all of its attempts) in containers; returns its output literals."""

    def __init__(self, ctx: RemoteContext) -> None:
        self.ctx = ctx
        self.catalog = StoreCatalog(ctx.store)

    # -- the walker's TaskRunner protocol ----------------------------------------------------------
    def run(
        self, task: Any, node_id: str, inputs: dict[str, Any], attempt_info: Any = None
    ) -> dict[str, Any]:
        """Outputs of `task` on `inputs`: from the record (resumed run), the cache catalog, or a container."""
        writer = self.ctx.writer
        done = writer.record.nodes.get(node_id)
        if done is not None and done.phase in (NodePhase.SUCCEEDED, NodePhase.CACHED) and done.outputs_uri:
            return self._read_outputs(done.outputs_uri)
        writer.update(node_id, task=task.name, phase=NodePhase.PENDING)
        key = self._cache_key(task, inputs)
        if key is not None:
            hit = self.catalog.get(key)
            if hit is not None:
                writer.update(
                    node_id, phase=NodePhase.CACHED, cache_key=key, outputs_uri=self.catalog.uri(key)
                )
                return hit
        outputs = self._attempts(task, node_id, inputs)
        if key is not None:
            self.catalog.put(key, outputs)
            writer.update(node_id, cache_key=key)
        return outputs

    # -- internals ---------------------------------------------------------------------------------
    def _cache_key(self, task: Any, inputs: dict[str, Any]) -> str | None:
        if not getattr(task, "cache", False):
            return None
        from dockyard.sdk.cache import cache_key

        return str(cache_key(task, inputs))

    def _read_outputs(self, uri: str) -> dict[str, Any]:
        if uri.endswith(".json") and "/cache/" in uri:
            hit = self.catalog.store.read_json(uri)["outputs"]
            return dict(hit)
        from dockyard.sdk.types.literal import literals_from_json

        return literals_from_json(self.ctx.store.read_bytes(uri).decode())

    def _attempts(self, task: Any, node_id: str, inputs: dict[str, Any]) -> dict[str, Any]:
        from dockyard.sdk.types.literal import literals_to_json

        ctx = self.ctx
        retries = int(getattr(task, "retries", 0) or 0)
        user_failures = system_failures = 0
        previous_checkpoint: str | None = None
        attempt = 0
        while True:
            paths = AttemptPaths(ctx.store, ctx.execution_id, node_id, attempt)
            ctx.store.write_bytes(paths.inputs, literals_to_json(inputs).encode())
            rec = ctx.writer.start_attempt(node_id, attempt)
            outcome, logs_uri = self._launch(task, node_id, paths, previous_checkpoint)
            if outcome.phase is Phase.SUCCEEDED:
                outputs_uri = f"{paths.output_prefix}/{OUTPUTS}"
                if not ctx.store.exists(outputs_uri) and ctx.store.exists(
                    f"{paths.output_prefix}/{SUBGRAPH}"
                ):
                    raise TaskFailed(f"task {task.name}: dynamic sub-DAGs are not supported remotely yet")
                ctx.writer.finish_attempt(node_id, rec, phase="succeeded", exit_code=0, logs_uri=logs_uri)
                ctx.writer.update(node_id, phase=NodePhase.SUCCEEDED, outputs_uri=outputs_uri)
                return self._read_outputs(outputs_uri)
            error = read_error(ctx.store, paths.output_prefix)
            kind = error.kind if error is not None else "system"
            if outcome.phase is Phase.TIMED_OUT:
                kind = "user"
            message = f"{error.type}: {error.message}" if error is not None else outcome.message
            ctx.writer.finish_attempt(
                node_id,
                rec,
                phase=outcome.phase.value,
                exit_code=outcome.exit_code,
                message=message,
                error_kind=kind,
                logs_uri=logs_uri,
            )
            if any(True for _ in ctx.store.list(paths.checkpoint())):
                previous_checkpoint = paths.checkpoint()
            final = outcome.phase is Phase.CANCELLED or (error is not None and not error.retryable)
            if kind == "system" and outcome.phase is not Phase.CANCELLED:
                system_failures += 1
                final = final or system_failures > ctx.system_retries
            else:
                user_failures += 1
                final = final or user_failures > retries
            if final or ctx.cancelled.is_set():
                ctx.writer.update(node_id, phase=NodePhase.FAILED, message=message)
                raise TaskFailed(
                    f"task {task.name} (node {node_id}) failed after {attempt + 1} attempt(s): {message}"
                )
            attempt += 1

    def _launch(
        self, task: Any, node_id: str, paths: AttemptPaths, previous_checkpoint: str | None
    ) -> tuple[Outcome, str]:
        ctx = self.ctx
        key = image_key(task)
        image = ctx.images.get(key)
        if image is None:
            raise TaskFailed(f"task {task.name}: no image pinned for {key!r} (was it built?)")
        command = [
            "dockyard-execute",
            "--inputs",
            paths.inputs,
            "--output-prefix",
            paths.output_prefix,
            "--task",
            f"{task.module}:{task.short_name}",
            "--attempt",
            str(paths.attempt),
            "--checkpoint-cur",
            paths.checkpoint(),
        ]
        if previous_checkpoint:
            command += ["--checkpoint-prev", previous_checkpoint]
        if ctx.bundle_uri:
            command += ["--bundle", ctx.bundle_uri]
        env = {**ctx.env, **dict(getattr(task, "environment", None) or {})}
        if key != DEFAULT_IMAGE and not isinstance(getattr(task, "container_image", None), str):
            env["DOCKYARD_IMAGE_SPEC_ID"] = key
        secrets = tuple(SecretRef(s.group, s.key) for s in getattr(task, "secret_requests", None) or ())
        attempt = TaskAttempt(
            execution_id=ctx.execution_id,
            node_id=node_id,
            attempt=paths.attempt,
            image=image,
            command=command,
            env=env,
            requests=_resources(getattr(task, "requests", None)),
            limits=_resources(getattr(task, "limits", None)),
            interruptible=bool(getattr(task, "interruptible", False)),
            timeout_s=_seconds(getattr(task, "timeout", None)),
            secrets=secrets,
        )
        try:
            handle = ctx.executor.launch(attempt)
        except DockyardError as exc:
            ctx.writer.update(node_id, phase=NodePhase.FAILED, message=str(exc))
            raise TaskFailed(f"task {task.name} (node {node_id}): {exc}") from None
        outcome = ctx.executor.wait(handle)
        ctx.store.write_bytes(paths.logs, ctx.executor.logs(handle).encode())
        return outcome, paths.logs
