"""The remote driver: the SDK's graph walker with a task runner that runs each attempt in a container.

The walker (shared with local execution) decides *what* runs: parallel independent nodes, map items with
their concurrency and success ratio, conditionals, retries, and the cache catalog (here in the blob store,
same key as the local cache). This runner decides *how* one attempt runs remotely: inputs written to the
store, a container launched through an `Executor` with the previous attempt's checkpoint, outputs read
back, and every step written to the execution record.

A container lost to the platform (killed, out of memory) is relaunched right away, up to
`SYSTEM_RETRIES` times, without using up the task's own retries. A dynamic task's body runs in its own
container too (its image has the packages the body imports): it leaves the sub-DAG it built as a graph
document (`dynamic.json`), which the driver reads back and walks; each node of the sub-DAG then runs in its
container, resolved through that document (`--dynamic-graph`/`--dynamic-node`).
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from dockyard.config import Settings
from dockyard.errors import ConfigError, DockyardError, ExecutionError, StoreError
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.cache import StoreCatalog
from dockyard.runtime.driver import Heartbeat
from dockyard.runtime.executor import Executor, Outcome, SecretRef, TaskAttempt
from dockyard.runtime.options import RunOptions
from dockyard.runtime.phase import Phase
from dockyard.runtime.protocol import (
    DYNAMIC,
    ERROR,
    OUTPUTS,
    AttemptPaths,
    ErrorDocument,
    map_inputs_uri,
    read_error,
)
from dockyard.runtime.raw_container import (
    RawAttempt,
    RawContainer,
    RawContainerExecutor,
    is_raw,
    refuse_raw,
)
from dockyard.runtime.record import (
    ExecutionRecord,
    RecordListener,
    RecordWriter,
    load_record,
    record_uri,
    save_graph,
)
from dockyard.sdk.resources import K8S_NAMES
from dockyard.sdk.walker import NonRetryable

DEFAULT_IMAGE = "default"
SYSTEM_RETRIES = 2


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


def _resources(value: Any, part: int) -> dict[str, str]:
    """A flytekit `Resources` as the executor's dict; `part` picks from a (request, limit) pair."""
    if value is None:
        return {}
    out: dict[str, str] = {}
    for name in K8S_NAMES:
        item = getattr(value, name, None)
        if isinstance(item, tuple):
            item = item[part]
        if item is not None:
            out[name] = str(item)
    return out


class TaskFailed(ExecutionError):
    """One attempt of a task failed (the walker retries it while the task's retries last)."""


class FinalTaskFailure(TaskFailed, NonRetryable):
    """A failure no retry can fix: a missing image, an error the task marked final, a cancel."""


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
    secrets: tuple[SecretRef, ...] = ()  # given to every task (e.g. the store's credentials)
    system_retries: int = SYSTEM_RETRIES
    options: RunOptions = field(default_factory=RunOptions)  # pyflyte's flags that reach every attempt


class ContainerTaskRunner:
    """The walker's `TaskRunner` for remote runs: one attempt = one container (plus system relaunches)."""

    def __init__(self, ctx: RemoteContext) -> None:
        self.ctx = ctx
        self._slots = threading.BoundedSemaphore(ctx.settings.executor.max_parallel)
        self._lock = threading.Lock()
        self._launches: dict[str, int] = {}  # the next attempt number per node (its store paths)
        self._checkpoints: dict[str, str] = {}  # node -> newest checkpoint prefix holding something
        self._sub_dags: dict[str, str] = {}  # node of a dynamic sub-DAG -> URI of that sub-DAG's document
        self._maps: dict[str, tuple[str, tuple[str, ...]]] = {}  # map node -> (its inputs' URI, bound names)
        self._live: dict[int, tuple[Any, Any]] = {}  # (executor, handle) of running containers
        self._raw = RawContainerExecutor(ctx.settings, ctx.store)  # ContainerTasks (Docker backend)
        self._stopping = threading.Event()

    def cancel_all(self) -> None:
        """Stop every running container and launch no more (the driver was interrupted)."""
        self._stopping.set()
        with self._lock:
            live = list(self._live.values())
        for executor, handle in live:
            executor.cancel(handle)

    def run(self, task: Any, node_id: str, inputs: dict[str, Any], attempt: Any) -> dict[str, Any]:
        """One attempt's output literals; from the record when a resumed run already finished the node."""
        return self._read_outputs(self._result_uri(task, node_id, inputs, OUTPUTS))

    def run_dynamic(self, task: Any, node_id: str, inputs: dict[str, Any], attempt: Any) -> Any:
        """Run the dynamic task's body in its container; return the sub-DAG it wrote, ready to walk."""
        import json

        from dockyard.sdk.graph import from_json

        uri = self._result_uri(task, node_id, inputs, DYNAMIC)
        doc = json.loads(self.ctx.store.read_bytes(uri).decode())
        graph = from_json(doc, output_types=dict(task.interface.outputs))
        with self._lock:
            for node in graph.all_nodes():
                self._sub_dags[node.id] = uri
        return graph

    def share_map_inputs(self, node_id: str, inputs: dict[str, Any], bound: list[str]) -> None:
        """Store a map node's inputs once: each item's container picks its own (`--map-index`)."""
        from dockyard.sdk.types.literal import literals_to_json

        store = self.ctx.store
        uri = map_inputs_uri(store, self.ctx.execution_id, node_id)
        store.write_bytes(uri, literals_to_json(inputs).encode())
        with self._lock:
            self._maps[node_id] = (uri, tuple(bound))

    def run_map_job(
        self, task: Any, node_id: str, total: int, concurrency: int, min_successes: int
    ) -> tuple[list[dict[str, Any] | None], list[tuple[int, Exception]]] | None:
        """Run every item of map node `node_id` as one job of the backend (a Kubernetes Indexed Job),
        where it has them; None where it has not (the walker then runs item by item). Each item is
        recorded as node `<map>-<i>`, with one attempt standing for the tries of its index."""
        executor: Any = self.ctx.executor
        shared = self._map_item(f"{node_id}-0")
        if not hasattr(executor, "launch_map") or is_raw(task) or shared is None or total == 0:
            return None
        recorded = self.ctx.writer.record.nodes
        if any(f"{node_id}-{i}" in recorded for i in range(total)):
            return None  # a resumed run: item by item, so what finished is not run again
        from dockyard.kubernetes.map_job import INDEX_REF, MapShape

        ctx = self.ctx
        item = f"{node_id}-{INDEX_REF}"
        paths = AttemptPaths(ctx.store, ctx.execution_id, item, 0)
        attempt = self._attempt(task, item, paths, None, (shared[0], INDEX_REF, shared[2]))
        shape = MapShape(total, concurrency, task.retries, total - min_successes)
        items = [AttemptPaths(ctx.store, ctx.execution_id, f"{node_id}-{i}", 0) for i in range(total)]
        records = []
        for i in range(total):
            ctx.writer.update(f"{node_id}-{i}", task=task.name)
            records.append(ctx.writer.start_attempt(f"{node_id}-{i}", 0))
        with self._slots:
            try:
                if self._stopping.is_set():
                    raise ExecutionError("the driver is stopping: no new containers")
                handle = executor.launch_map(attempt, node_id, shape)
            except DockyardError as exc:
                raise FinalTaskFailure(f"task {task.name} (map node {node_id}): {exc}") from None
            with self._lock:
                self._live[id(handle)] = (executor, handle)
            if self._stopping.is_set():
                executor.cancel(handle)
            try:
                outcome = executor.wait_map(handle)
            finally:
                with self._lock:
                    self._live.pop(id(handle), None)
        results: list[dict[str, Any] | None] = [None] * total
        errors: list[tuple[int, Exception]] = []
        for i, (paths, rec, phase) in enumerate(zip(items, records, outcome.phases, strict=True)):
            ctx.store.write_bytes(paths.logs, (handle.logs or {}).get(i, "").encode())
            item_id = f"{node_id}-{i}"
            if phase is Phase.SUCCEEDED:
                uri = f"{paths.output_prefix}/{OUTPUTS}"
                results[i] = self._read_outputs(uri)
                ctx.writer.finish_attempt(item_id, rec, phase="succeeded", exit_code=0, logs_uri=paths.logs)
                ctx.writer.update(item_id, phase=Phase.SUCCEEDED, outputs_uri=uri)
                continue
            error = read_error(ctx.store, paths.output_prefix) if phase is Phase.FAILED else None
            message = f"{error.type}: {error.message}" if error is not None else outcome.message
            message = message or f"the job ended before item {i} ran"
            ctx.writer.finish_attempt(
                item_id,
                rec,
                phase=phase.value,
                message=message,
                error_kind=error.kind if error is not None else "system",
                logs_uri=paths.logs,
            )
            ctx.writer.update(item_id, phase=phase, message=message)
            errors.append((i, TaskFailed(f"task {task.name} (node {item_id}): {message}")))
        return results, errors

    # -- internals ---------------------------------------------------------------------------------
    def _map_item(self, node_id: str) -> tuple[str, int, tuple[str, ...]] | None:
        """(the map node's inputs URI, item index, bound names) when `node_id` is an item of a map node."""
        parent, _, index = node_id.rpartition("-")
        with self._lock:
            shared = self._maps.get(parent)
        if shared is None or not index.isdigit():
            return None
        return shared[0], int(index), shared[1]

    def _result_uri(self, task: Any, node_id: str, inputs: dict[str, Any], document: str) -> str:
        """Launch attempts (relaunching platform losses) until one succeeds; the URI of its `document`
        (outputs.json, or dynamic.json for a dynamic body). From the record when a resumed run already
        finished the node."""
        done = self.ctx.writer.record.nodes.get(node_id)
        if done is not None and done.phase is Phase.SUCCEEDED and done.outputs_uri:
            return done.outputs_uri
        system_failures = 0
        while True:
            outcome, paths, error = self._launch_once(task, node_id, inputs, document)
            if outcome.phase is Phase.SUCCEEDED:
                return f"{paths.output_prefix}/{document}"
            lost = outcome.phase is Phase.PREEMPTED or (error is None and outcome.phase is Phase.FAILED)
            if lost and system_failures < self.ctx.system_retries:
                system_failures += 1  # lost to the platform: relaunch from the checkpoint, free of charge
                continue
            message = f"{error.type}: {error.message}" if error is not None else outcome.message
            text = f"task {task.name} (node {node_id}) attempt {paths.attempt}: {message}"
            final = outcome.phase is Phase.ABORTED or (error is not None and not error.retryable)
            self.ctx.writer.update(node_id, phase=Phase.FAILED, message=message)
            raise FinalTaskFailure(text) if final else TaskFailed(text)

    def _read_outputs(self, uri: str) -> dict[str, Any]:
        from dockyard.sdk.types.literal import literals_from_json

        return literals_from_json(self.ctx.store.read_bytes(uri).decode())

    def _launch_once(
        self, task: Any, node_id: str, inputs: dict[str, Any], document: str
    ) -> tuple[Outcome, AttemptPaths, Any]:
        from dockyard.sdk.types.literal import literals_to_json

        ctx = self.ctx
        with self._lock:
            if node_id not in self._launches:  # a resumed run numbers on after the recorded attempts
                done = ctx.writer.record.nodes.get(node_id)
                attempts = done.attempts if done is not None else []
                self._launches[node_id] = max((a.attempt + 1 for a in attempts), default=0)
                if attempts:  # and goes on from the interrupted attempt's checkpoint
                    last = AttemptPaths(ctx.store, ctx.execution_id, node_id, attempts[-1].attempt)
                    if any(True for _ in ctx.store.list(last.checkpoint)):
                        self._checkpoints.setdefault(node_id, last.checkpoint)
            number = self._launches[node_id]
            self._launches[node_id] += 1
            previous = self._checkpoints.get(node_id)
        paths = AttemptPaths(ctx.store, ctx.execution_id, node_id, number)
        map_item = self._map_item(node_id)
        if map_item is None:  # a map item reads its map node's inputs document
            ctx.store.write_bytes(paths.inputs, literals_to_json(inputs).encode())
        ctx.writer.update(node_id, task=task.name)
        rec = ctx.writer.start_attempt(node_id, number)
        with self._slots:
            try:
                if self._stopping.is_set():
                    raise ExecutionError("the driver is stopping: no new containers")
                executor: Any = ctx.executor
                attempt: Any = self._attempt(task, node_id, paths, previous, map_item)
                raw = None
                if is_raw(task) and hasattr(executor, "launch_raw"):  # one pod, its image a step of it
                    raw = RawContainer.of(task, inputs)
                    handle = executor.launch_raw(dockyard_steps(task, attempt, ctx.images), raw)
                else:
                    if is_raw(task):  # its image has no dockyard: the driver runs the attempt
                        refuse_raw([task], executor.name)
                        executor, attempt = self._raw, RawAttempt.of(attempt)
                    handle = executor.launch(attempt)
            except DockyardError as exc:
                ctx.writer.finish_attempt(node_id, rec, phase="failed", message=str(exc), error_kind="system")
                ctx.writer.update(node_id, phase=Phase.FAILED, message=str(exc))
                raise FinalTaskFailure(f"task {task.name} (node {node_id}): {exc}") from None
            with self._lock:
                self._live[id(handle)] = (executor, handle)
            if self._stopping.is_set():  # cancel_all ran while this container was starting
                executor.cancel(handle)
            try:
                outcome = executor.wait(handle)
            finally:
                with self._lock:
                    self._live.pop(id(handle), None)
        ctx.store.write_bytes(paths.logs, executor.logs(handle).encode())
        error: ErrorDocument | None = None
        if outcome.phase is not Phase.SUCCEEDED:
            error = read_error(ctx.store, paths.output_prefix)
            if error is None and raw is not None and outcome.phase is Phase.FAILED and outcome.exit_code:
                error = raw.failure(outcome.exit_code)  # the user's container: its steps write their own
                ctx.store.write_json(f"{paths.output_prefix}/{ERROR}", error.model_dump())
            # Only a retry reads the checkpoint, and only a failed attempt is retried.
            if any(True for _ in ctx.store.list(paths.checkpoint)):
                with self._lock:
                    self._checkpoints[node_id] = paths.checkpoint
        if outcome.phase is Phase.SUCCEEDED:
            ctx.writer.finish_attempt(node_id, rec, phase="succeeded", exit_code=0, logs_uri=paths.logs)
            ctx.writer.update(node_id, phase=Phase.SUCCEEDED, outputs_uri=f"{paths.output_prefix}/{document}")
        else:
            kind = error.kind if error is not None else "system"
            ctx.writer.finish_attempt(
                node_id,
                rec,
                phase=outcome.phase.value,
                exit_code=outcome.exit_code,
                message=f"{error.type}: {error.message}" if error is not None else outcome.message,
                error_kind="user" if outcome.phase is Phase.TIMED_OUT else kind,
                logs_uri=paths.logs,
            )
        return outcome, paths, error

    def _attempt(
        self,
        task: Any,
        node_id: str,
        paths: AttemptPaths,
        previous: str | None,
        map_item: tuple[str, int | str, tuple[str, ...]] | None = None,
    ) -> TaskAttempt:
        ctx = self.ctx
        return task_attempt(
            task,
            paths,
            execution_id=ctx.execution_id,
            node_id=node_id,
            images=ctx.images,
            bundle_uri=ctx.bundle_uri,
            env=ctx.env,
            secrets=ctx.secrets,
            previous=previous,
            sub_dag=self._sub_dags.get(node_id),
            map_item=map_item,
            options=ctx.options,
        )


def dockyard_steps(task: Any, attempt: TaskAttempt, images: dict[str, str]) -> TaskAttempt:
    """A ContainerTask's attempt as its pod's dockyard steps run it (`kubernetes/raw_pod.py`): in the run's
    default image, since the task's own has no dockyard."""
    image = images.get(DEFAULT_IMAGE)
    if image is None:
        raise ExecutionError(f"ContainerTask {task.name}: no default dockyard image pinned for its pod")
    return replace(attempt, image=image)


def task_attempt(
    task: Any,
    paths: AttemptPaths,
    *,
    execution_id: str,
    node_id: str,
    images: dict[str, str],
    bundle_uri: str | None,
    env: dict[str, str],
    secrets: tuple[SecretRef, ...],
    previous: str | None = None,
    sub_dag: str | None = None,
    map_item: tuple[str, int | str, tuple[str, ...]] | None = None,
    options: RunOptions | None = None,
) -> TaskAttempt:
    """The attempt that runs `task` as node `node_id`: shared by the runner and `run --dry-run`, so a dry
    run shows the very pods a run would create. `options`: the run's project and domain (what
    `current_context()` reads), labels, annotations and service account reach every attempt."""
    options = options or RunOptions()
    key = image_key(task)
    image = images.get(key)
    if image is None:
        raise ExecutionError(f"no image pinned for {key!r} (was it built?)")
    command = [
        "dockyard-execute",
        "--inputs",
        paths.inputs,
        "--output-prefix",
        paths.output_prefix,
        "--task",
        f"{task.module}:{task.short_name}",
        "--node-id",
        node_id,
        "--attempt",
        str(paths.attempt),
        "--checkpoint-cur",
        paths.checkpoint,
    ]
    if sub_dag is not None:  # a node of a dynamic sub-DAG: resolved through the document it came from
        command += ["--dynamic-graph", sub_dag, "--dynamic-node", node_id]
    if map_item is not None:  # item N of the map node's inputs document
        inputs_uri, index, bound = map_item
        command[command.index(paths.inputs)] = inputs_uri
        command += ["--map-index", str(index), "--map-bound", ",".join(bound)]
    if previous:
        command += ["--checkpoint-prev", previous]
    if bundle_uri:
        command += ["--bundle", bundle_uri]
    if options.raw_output_prefix:  # `--raw-output-data-prefix`: <prefix>/<execution>/<node>/<attempt>
        raw = "/".join([options.raw_output_prefix.rstrip("/"), execution_id, node_id, str(paths.attempt)])
        command += ["--raw-output-prefix", raw]
    task_env = {
        **env,
        **task.environment,
        "DOCKYARD_EXECUTION_ID": execution_id,
        "DOCKYARD_EXECUTION_PROJECT": options.project,
        "DOCKYARD_EXECUTION_DOMAIN": options.domain,
    }
    if key != DEFAULT_IMAGE and not isinstance(task.container_image, str):
        task_env["DOCKYARD_IMAGE_SPEC_ID"] = key
    resources = getattr(task, "resources", None)
    return TaskAttempt(
        execution_id=execution_id,
        node_id=node_id,
        attempt=paths.attempt,
        image=image,
        command=command,
        env=task_env,
        requests=_resources(task.requests or resources, 0),
        limits=_resources(task.limits or resources, 1),
        accelerator=_device(getattr(task, "accelerator", None)),
        interruptible=bool(task.interruptible),
        timeout_s=task.timeout_s,
        secrets=secrets + tuple(SecretRef.of(s) for s in task.secret_requests),
        min_driver_version=_min_driver(task.container_image),
        pod_template=_pod_template(getattr(task, "pod_template", None)),
        labels=dict(options.labels),
        annotations=dict(options.annotations),
        service_account=options.service_account,
        reuse=getattr(task, "reusable", None),
    )


def _device(accelerator: Any) -> str | None:
    """The device name of a task's accelerator (`GPUAccelerator`, a MIG/TPU one, or a plain name)."""
    if accelerator is None or isinstance(accelerator, str):
        return accelerator or None
    return str(accelerator.device)


def _pod_template(template: Any) -> dict[str, Any] | None:
    """A task's `PodTemplate` as Kubernetes JSON (`PodTemplate.to_dict()`); a dict is taken as it is."""
    if template is None or isinstance(template, dict):
        return template or None
    return dict(template.to_dict())


def _min_driver(image: Any) -> str | None:
    """The NVIDIA driver floor of a task's ImageSpec (from its CUDA); unknown for an image named by string."""
    from dockyard.imagespec.cuda import min_driver
    from dockyard.imagespec.spec import ImageSpec

    return min_driver(image) if isinstance(image, ImageSpec) else None


@dataclass
class RemoteResult:
    execution_id: str
    outputs: Any
    record: ExecutionRecord


def _drive(walker: Any, runner: ContainerTaskRunner, entity: Any, literals: dict[str, Any]) -> Any:
    """Walk in a helper thread so that Ctrl-C reaches this one at once: it cancels every running
    container (no container outlives the driver), then waits for the walk to unwind."""
    box: dict[str, Any] = {}
    done = threading.Event()  # not Thread.join: an interrupted join may later return too early
    context = contextvars.copy_context()  # the walk sees this thread's store binding

    def walk() -> None:
        try:
            box["out"] = context.run(walker.run_entity, entity, "n0", literals)
        except BaseException as exc:
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=walk, name="dockyard-driver", daemon=True).start()
    try:
        while not done.wait(0.25):
            pass
    except KeyboardInterrupt:
        runner.cancel_all()
        done.wait()
        raise
    if "error" in box:
        raise box["error"]
    return box["out"]


def store_env(settings: Settings, store: Store) -> dict[str, str]:
    """Non-secret env that points `dockyard-execute` at the same store as the driver."""
    env = {"DOCKYARD_STORE_URL": store.url}
    if settings.store.s3_endpoint_url:
        env["DOCKYARD_STORE_S3_ENDPOINT_URL"] = settings.store.s3_endpoint_url
    return env


def refuse_taken(store: Store, execution_id: str) -> None:
    """A new execution needs a free id: a run under the id of one that exists would overwrite its record
    (Flyte refuses a duplicate execution name too)."""
    if store.exists(record_uri(store, execution_id)):
        raise ConfigError(
            f"--name {execution_id}: an execution of that id exists already (--resume {execution_id} "
            "continues it)"
        )


def open_execution(
    entity: Any,
    inputs: dict[str, Any],
    *,
    store: Store,
    execution_id: str,
    phase: Phase = Phase.RUNNING,
    options: RunOptions | None = None,
) -> ExecutionRecord:
    """A new execution's record, inputs document and graph, written before anything runs (`phase` PENDING:
    a detached driver will pick it up, with the run's recorded `options`)."""
    from dockyard.sdk.graph import to_json as graph_to_json
    from dockyard.sdk.local import input_literals
    from dockyard.sdk.types.literal import literals_to_json
    from dockyard.sdk.types.transfer import use_store

    refuse_taken(store, execution_id)
    record = ExecutionRecord(execution_id=execution_id, workflow=entity.name, phase=phase)
    record.set_options(options or RunOptions())
    with use_store(store, f"executions/{execution_id}/raw"):
        literals = input_literals(entity, (), inputs)
    uri = store.url_for("executions", execution_id, "inputs.json")
    record.inputs_uri = store.write_bytes(uri, literals_to_json(literals).encode())
    RecordWriter(store, record).save()
    if entity.node_kind == "workflow":
        save_graph(store, execution_id, graph_to_json(entity.graph))
    return record


def _notify_plan(plan: Any, settings: Settings, store: Store, record: ExecutionRecord) -> None:
    from dockyard.runtime.notifications import notify

    notify(
        settings,
        store,
        plan=plan.name,
        notifications=plan.notifications,
        phase=record.phase.flyte.name,
        execution_id=record.execution_id,
        message=record.message,
    )


def execute_remote(
    entity: Any,
    inputs: dict[str, Any],
    *,
    settings: Settings,
    store: Store,
    executor: Executor,
    images: dict[str, str],
    bundle_uri: str | None = None,
    execution_id: str | None = None,
    resume: bool = False,
    env: dict[str, str] | None = None,
    secrets: tuple[SecretRef, ...] = (),
    on_change: RecordListener | None = None,
    options: RunOptions | None = None,
    plan: Any = None,
) -> RemoteResult:
    """Run a task or workflow remotely with Python inputs; return its Python outputs and the record.

    With `resume`, an existing execution's record and recorded inputs are reloaded (`inputs` is not read)
    and nodes that finished are not run again; a run a detached driver starts is resumed from `PENDING`.
    `on_change` sees every record update (the CLI's progress view); `options` (pyflyte's flags) are
    recorded, their `env` goes to every container and `overwrite_cache` skips cache reads. `plan`: the
    launch plan the run is an execution of; its notifications go out when the run ends.
    """
    from dockyard.sdk.types import TypeEngine
    from dockyard.sdk.types.literal import literals_from_json, literals_to_json
    from dockyard.sdk.types.transfer import use_store
    from dockyard.sdk.walker import Event, Walker

    execution_id = execution_id or (options.name if options else None) or new_execution_id()
    if resume:  # the recorded flags, with those given again on top
        record = load_record(store, execution_id)  # a record whose driver is gone is settled first
        if record.phase is Phase.RUNNING:
            raise ConfigError(f"execution {execution_id} is still running; abort it before resuming it")
        record.phase = Phase.RUNNING
        options = (options or RunOptions()).over(record.run_options())
    else:
        options = options or RunOptions()
        record = open_execution(entity, inputs, store=store, execution_id=execution_id, options=options)
    record.images, record.bundle_uri = dict(images), bundle_uri
    record.set_options(options)
    writer = RecordWriter(store, record, on_change)
    ctx = RemoteContext(
        execution_id,
        store,
        executor,
        writer,
        settings,
        images,
        bundle_uri,
        {**store_env(settings, store), **options.env, **(env or {})},
        secrets,
        options=options,
    )

    def on_event(event: Event) -> None:
        if event.kind == "cache_hit":
            writer.update(event.node_id, task=event.task, phase=Phase.CACHED)

    runner = ContainerTaskRunner(ctx)
    walker = Walker(
        runner,
        execution_id=execution_id,
        catalog=StoreCatalog(store),
        max_workers=max(settings.executor.max_parallel, 2),
        on_event=on_event,
        overwrite_cache=options.overwrite_cache,
    )
    exec_prefix = store.url_for("executions", execution_id)
    try:
        with use_store(store, f"executions/{execution_id}/raw"):
            if record.inputs_uri is None:
                raise StoreError(f"execution {execution_id}: its record names no inputs; run it anew")
            literals = literals_from_json(store.read_bytes(record.inputs_uri).decode())
            writer.save()
            heartbeat = Heartbeat(store, execution_id, executor.name, lambda _: runner.cancel_all())
            try:
                with heartbeat:
                    out = _drive(walker, runner, entity, literals)
            except KeyboardInterrupt:
                with contextlib.suppress(StoreError):
                    if (aborted := heartbeat.abort_reason()) is not None:
                        writer.update(phase=Phase.ABORTED, message=aborted)
                    else:
                        writer.update(phase=Phase.FAILED, message="interrupted")
                raise
            except StoreError as exc:  # the store is gone: the record keeps what finished, for a resume
                reason = " ".join(str(exc).split())
                raise StoreError(
                    f"execution {execution_id}: {reason} (resume it with --resume {execution_id})"
                ) from exc
            except Exception as exc:
                if (aborted := heartbeat.abort_reason()) is not None:
                    with contextlib.suppress(StoreError):
                        writer.update(phase=Phase.ABORTED, message=aborted)
                    raise ExecutionError(f"execution {execution_id} aborted: {aborted}") from None
                message = " ".join(str(exc).split()) or repr(exc)
                with contextlib.suppress(StoreError):
                    writer.update(phase=Phase.FAILED, message=message)
                if isinstance(exc, DockyardError):
                    raise
                raise ExecutionError(
                    f"execution {execution_id} failed: {type(exc).__name__}: {message}"
                ) from exc
            outputs_uri = store.write_bytes(f"{exec_prefix}/outputs.json", literals_to_json(out).encode())
            writer.update(phase=Phase.SUCCEEDED, outputs_uri=outputs_uri)
            iface = entity.interface
            values = {k: TypeEngine.to_python(out[k], tp, path=k) for k, tp in iface.outputs.items()}
    finally:
        close = getattr(executor, "close", None)  # warm containers of reusable tasks end with the run
        if close is not None:
            close(execution_id)
        if plan is not None and writer.record.phase.final:
            _notify_plan(plan, settings, store, writer.record)
    return RemoteResult(execution_id, iface.pack_outputs(values), writer.record)
