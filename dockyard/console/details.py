"""What the page shows of one node and of stored values: attempts with their errors and tracebacks
(`protocol.read_error`), inputs and outputs rendered by type, the image and the logs so far."""

from __future__ import annotations

import importlib
import sys
import threading
from typing import Any, Literal

from pydantic import BaseModel

from dockyard.errors import StoreError
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.phase import Phase
from dockyard.runtime.protocol import AttemptPaths, map_inputs_uri, read_error
from dockyard.runtime.record import ExecutionRecord, NodeRecord

PREVIEW_ROWS = 20


class Value(BaseModel):
    """A literal as the page draws it: JSON (primitives, collections, dataclasses), a link (files and
    directories) or a table preview (structured datasets)."""

    kind: Literal["json", "file", "directory", "table"]
    value: Any = None
    uri: str | None = None
    columns: list[str] = []
    rows: list[list[Any]] = []


class Attempt(BaseModel):
    attempt: int
    phase: str
    started_at: float
    finished_at: float | None
    exit_code: int | None
    message: str
    error_kind: str | None
    error_type: str | None = None
    traceback: str = ""


class Resources(BaseModel):
    """What a task asks of its machine, as the executor gets it (k8s names and units)."""

    requests: dict[str, str] = {}
    limits: dict[str, str] = {}
    accelerator: str | None = None


class NodeView(BaseModel):
    execution_id: str
    node_id: str
    task: str | None
    phase: str
    message: str
    cache_hit: bool
    image: str | None
    resources: Resources | None  # None: not a task, or its code could not be loaded from the bundle
    attempts: list[Attempt]
    inputs: dict[str, Value]
    outputs: dict[str, Value]
    map_items: list[str]


def render_value(store: Store, literal: dict[str, Any]) -> Value:
    from dockyard.sdk.types.literal import kind_of

    kind = kind_of(literal)
    body = literal[kind]
    if kind == "blob":
        folder = body.get("dimensionality") == "multipart"
        return Value(kind="directory" if folder else "file", uri=body.get("uri"))
    if kind == "structured":
        return _table(store, body.get("uri", ""))
    return Value(kind="json", value=plain(literal))


def plain(literal: dict[str, Any]) -> Any:
    """A JSON view of a literal without its Python type (records are objects, blobs their URI)."""
    from dockyard.sdk.types.literal import kind_of

    kind = kind_of(literal)
    value = literal[kind]
    if kind == "list":
        return [plain(v) for v in value]
    if kind in ("map", "record"):
        return {k: plain(v) for k, v in value.items()}
    if kind == "union":
        return plain(value["value"])
    if kind in ("blob", "structured"):
        return value["uri"]
    if kind == "none":
        return None
    if kind == "pickle":
        return value.get("uri") if isinstance(value, dict) else "<pickled value>"
    return value


def _table(store: Store, uri: str) -> Value:
    """The first rows of a parquet dataset (pyarrow from the dataframe extra); a link without it."""
    import tempfile
    from pathlib import Path

    try:
        import pyarrow.parquet as pq
    except ImportError:
        return Value(kind="file", uri=uri)
    with tempfile.TemporaryDirectory(prefix="dockyard-console-") as tmp:
        try:
            local = store.get(uri, Path(tmp) / "data")
        except StoreError:
            return Value(kind="file", uri=uri)
        files = sorted(local.rglob("*.parquet")) if local.is_dir() else [local]
        if not files:
            return Value(kind="file", uri=uri)
        table = pq.read_table(files[0]).slice(0, PREVIEW_ROWS)
    columns = table.column_names
    rows = [[row[c] for c in columns] for row in table.to_pylist()]
    return Value(kind="table", uri=uri, columns=columns, rows=rows)


def read_literals(store: Store, uri: str | None) -> dict[str, Any]:
    from dockyard.sdk.types.literal import literals_from_json

    if not uri or not store.exists(uri):
        return {}
    return literals_from_json(store.read_bytes(uri).decode())


def read_values(store: Store, uri: str | None) -> dict[str, Value]:
    return {name: render_value(store, lit) for name, lit in read_literals(store, uri).items()}


def _item_inputs(store: Store, record: ExecutionRecord, item: str, bound: list[str]) -> dict[str, Value]:
    """A map item's own inputs: element i of each mapped list, the bound inputs as they are."""
    parent, _, index = item.rpartition("-")
    literals = read_literals(store, map_inputs_uri(store, record.execution_id, parent))
    return {
        name: render_value(store, lit if name in bound else lit["list"][int(index)])
        for name, lit in literals.items()
    }


def node_view(
    store: Store, record: ExecutionRecord, node: NodeRecord, map_bound: list[str] | None = None
) -> NodeView:
    """`map_bound`: for an item of a map task, the names its map binds to the same value for every item."""
    attempts = []
    for a in node.attempts:
        view = Attempt.model_validate(a.model_dump(), from_attributes=False)
        if a.phase not in ("running", "succeeded"):
            paths = AttemptPaths(store, record.execution_id, node.node_id, a.attempt)
            error = read_error(store, paths.output_prefix)
            if error is not None:
                view.error_type, view.traceback = error.type, error.traceback
        attempts.append(view)
    if map_bound is not None:
        inputs = _item_inputs(store, record, node.node_id, map_bound)
    elif node.attempts:
        last = node.attempts[-1].attempt
        inputs = read_values(store, AttemptPaths(store, record.execution_id, node.node_id, last).inputs)
    else:
        inputs = {}
    outputs = node.outputs_uri if node.outputs_uri and node.outputs_uri.endswith(".json") else None
    items = sorted(
        (i for i in record.nodes if i.rpartition("-")[0] == node.node_id and i.rpartition("-")[2].isdigit()),
        key=lambda i: int(i.rpartition("-")[2]),
    )
    return NodeView(
        execution_id=record.execution_id,
        node_id=node.node_id,
        task=node.task,
        phase=node.phase.value,
        message=node.message,
        cache_hit=node.phase is Phase.CACHED,
        image=_image(record, node.task),
        resources=task_resources(store, record, node.task),
        attempts=attempts,
        inputs=inputs,
        outputs=read_values(store, outputs) if outputs and outputs.endswith("outputs.json") else {},
        map_items=items,
    )


def _image(record: ExecutionRecord, task: str | None) -> str | None:
    """The image the node ran in: images are pinned per image key; one image serves every task."""
    if task is not None and task in record.images:
        return record.images[task]
    distinct = set(record.images.values())
    return distinct.pop() if len(distinct) == 1 else None


_LOADED: set[str] = set()  # bundles imported by this process (each is content-addressed)
_LOAD_LOCK = threading.Lock()


def task_resources(store: Store, record: ExecutionRecord, task: str | None) -> Resources | None:
    """The task's requests, limits and accelerator, read from its definition in the execution's own code
    bundle (the bundle is imported once per process, as a relaunch does) by the orchestrator's own rules."""
    from dockyard.runtime.detached import entity_from_bundle
    from dockyard.runtime.orchestrator import _device, _resources
    from dockyard.runtime.registration import forget_plans

    if not task or not record.bundle_uri:
        return None
    module_name, _, short = task.rpartition(".")
    try:
        with _LOAD_LOCK:
            if record.bundle_uri not in _LOADED:
                entity_from_bundle(record, store)
                _LOADED.add(record.bundle_uri)
            if module_name not in sys.modules:  # one imported before and dropped: its plans may come again
                forget_plans(module_name)
            defined = getattr(importlib.import_module(module_name), short, None)
    except Exception:  # user code may raise anything on import: its resources are unknown
        return None
    if defined is None or getattr(defined, "name", None) != task:
        return None
    both = getattr(defined, "resources", None)
    return Resources(
        requests=_resources(defined.requests or both, 0),
        limits=_resources(defined.limits or both, 1),
        accelerator=_device(getattr(defined, "accelerator", None)),
    )
