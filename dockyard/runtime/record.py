"""The execution record: versioned JSON in the blob store. `executions/<id>/record.json` is the execution
(its phase, inputs, images, labels: small, rewritten only when the execution itself changes); the nodes are
an append-only event log with a compacted snapshot:

- `executions/<id>/events/<writer>-<chunk>.jsonl`: one line per node change, `{"t": ns, "node": {...}}`
  (the node's whole, small state). A store that appends (file://) appends each line to the writer's one
  chunk; one that cannot (s3://) rewrites the writer's current chunk, at most `CHUNK` lines, then starts the
  next. Either way an event costs the same whatever the size of the run.
- `executions/<id>/nodes.jsonl`: the snapshot, the same lines for every node, written when the execution
  reaches a final phase; the writer then deletes the chunks it folded in. A finished run is read from two
  documents, however many nodes it had.

Readers take the newest line per node (by `t`), so the order of chunks, a snapshot beside chunks it already
holds, or a second writer (an abort, a resume) cannot reorder a node's history; a torn last line (a
driver killed mid-append) is skipped. Records of the first layout (`states/<node>.json`, one rewritten
document per node) are still read.

It is the memory of a run: node states, attempts, timings, output and log URIs. `dockyard status` and
`dockyard logs` read it after the driver has exited, and a resumed run reads it to skip finished nodes.

Beside the records: `index/executions/<ns>-<id>.json`, one small `IndexEntry` each time an execution's
phase changes, so that a list of thousands of executions lists one folder and reads only new entries
(the console's index) instead of every record; and `executions/<id>/graph.json`, the workflow's graph
document, so that readers can draw nodes that have not run yet.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr, TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic needs this one below Python 3.12

from dockyard.errors import StoreError
from dockyard.heap import collector_paused
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.options import RunOptions
from dockyard.runtime.phase import Phase

SCHEMA_VERSION = 1
CHUNK = 256  # lines per event chunk on a store that cannot append


class AttemptRecord(BaseModel):
    attempt: int
    started_at: float
    finished_at: float | None = None
    phase: str = "running"
    exit_code: int | None = None
    message: str = ""
    error_kind: str | None = None  # "user" | "system"
    logs_uri: str | None = None


class NodeRecord(BaseModel):
    node_id: str
    task: str | None = None
    phase: Phase = Phase.PENDING
    attempts: list[AttemptRecord] = Field(default_factory=list)
    outputs_uri: str | None = None
    cache_key: str | None = None
    message: str = ""


class ExecutionRecord(BaseModel):
    schema_version: int = SCHEMA_VERSION
    execution_id: str
    workflow: str
    phase: Phase = Phase.RUNNING
    created_at: float = Field(default_factory=time.time)
    updated_at: float = Field(default_factory=time.time)
    inputs_uri: str | None = None
    outputs_uri: str | None = None
    bundle_uri: str | None = None
    images: dict[str, str] = Field(default_factory=dict)  # task name -> image pinned by digest
    project: str = "dockyard"
    domain: str = "development"
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    env: dict[str, str] = Field(default_factory=dict)  # `--env`: given to every container, resumes too
    service_account: str | None = None
    raw_output_prefix: str | None = None
    overwrite_cache: bool = False
    nodes: dict[str, NodeRecord] = Field(default_factory=dict)
    message: str = ""
    # When each node's state was written (ns), and the event chunks it was read from: what a writer
    # needs to compact the log without losing a newer line of another writer.
    _node_t: dict[str, int] = PrivateAttr(default_factory=dict)
    _chunks: list[str] = PrivateAttr(default_factory=list)

    def set_options(self, options: RunOptions) -> None:
        """Record the run's flags: a detached driver, a Kubernetes driver Job and a resume run with them."""
        self.project, self.domain = options.project, options.domain
        self.labels, self.annotations, self.env = (
            dict(options.labels),
            dict(options.annotations),
            dict(options.env),
        )
        self.service_account, self.raw_output_prefix = options.service_account, options.raw_output_prefix
        self.overwrite_cache = options.overwrite_cache

    def run_options(self) -> RunOptions:
        """The recorded flags (the execution id is the run's name)."""
        return RunOptions(
            name=self.execution_id,
            project=self.project,
            domain=self.domain,
            env=dict(self.env),
            labels=dict(self.labels),
            annotations=dict(self.annotations),
            service_account=self.service_account,
            raw_output_prefix=self.raw_output_prefix,
            overwrite_cache=self.overwrite_cache,
        )


def record_uri(store: Store, execution_id: str) -> str:
    return store.url_for("executions", execution_id, "record.json")


def _states_prefix(store: Store, execution_id: str) -> str:
    """The first layout's folder of per-node documents (read, never written)."""
    return store.url_for("executions", execution_id, "states") + "/"


def _events_prefix(store: Store, execution_id: str) -> str:
    return store.url_for("executions", execution_id, "events") + "/"


def _snapshot_uri(store: Store, execution_id: str) -> str:
    return store.url_for("executions", execution_id, "nodes.jsonl")


def _event_line(t: int, node: NodeRecord) -> bytes:
    doc = {"t": t, "node": node.model_dump(mode="json")}
    return json.dumps(doc, separators=(",", ":")).encode() + b"\n"


class _Event(TypedDict):
    """One event line. A TypedDict, not a model: validated as strictly, without an object per line (half
    the time of reading a 10,000-node snapshot)."""

    t: int
    node: NodeRecord


_EVENT: TypeAdapter[_Event] = TypeAdapter(_Event)
_EVENTS: TypeAdapter[list[_Event]] = TypeAdapter(list[_Event])


def _read_lines(data: bytes, newest: dict[str, tuple[int, NodeRecord]]) -> None:
    """Fold event lines into `newest` (node id -> (t, state)): all lines parsed and validated in one
    pass (pydantic's JSON parser: 10,000 nodes in a fraction of a second); where that fails, line by line,
    skipping a torn or foreign line."""
    lines = [line for line in data.splitlines() if line.strip()]
    try:
        events = _EVENTS.validate_json(b"[" + b",".join(lines) + b"]")
    except ValidationError:
        events = []
        for line in lines:
            with contextlib.suppress(ValidationError):
                events.append(_EVENT.validate_json(line))
    for event in events:
        t, node = event["t"], event["node"]
        if node.node_id not in newest or newest[node.node_id][0] <= t:
            newest[node.node_id] = (t, node)


def _load_nodes(store: Store, record: ExecutionRecord) -> None:
    """Fill `record.nodes` from the snapshot, the event chunks and any first-layout state documents."""
    with collector_paused():
        _fold_nodes(store, record)


def _fold_nodes(store: Store, record: ExecutionRecord) -> None:
    execution_id = record.execution_id
    newest: dict[str, tuple[int, NodeRecord]] = {}
    for state in store.list(_states_prefix(store, execution_id)):
        if state.endswith(".json"):
            node = NodeRecord.model_validate(store.read_json(state))
            newest[node.node_id] = (0, node)
    snapshot = _snapshot_uri(store, execution_id)
    if store.exists(snapshot):
        _read_lines(store.read_bytes(snapshot), newest)
    for chunk in store.list(_events_prefix(store, execution_id)):
        if chunk.endswith(".jsonl"):
            record._chunks.append(chunk)
            _read_lines(store.read_bytes(chunk), newest)
    nodes, node_t = record.nodes, record._node_t  # a private attribute costs a lookup each time
    for node_id, (t, node) in newest.items():
        nodes[node_id] = node
        node_t[node_id] = t


def load_record(store: Store, execution_id: str, *, settle: bool = True) -> ExecutionRecord:
    """Read an execution's record (the execution document and one state document per node).

    A running record whose driver is gone is settled first (`driver.settle_if_orphaned`: marked failed,
    its containers removed), so no reader ever shows a run that nobody drives as running."""
    uri = record_uri(store, execution_id)
    if not store.exists(uri):
        raise StoreError(f"execution {execution_id}: no record at {uri}")
    doc = store.read_json(uri)
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise StoreError(f"{uri}: schema_version {doc.get('schema_version')} is not {SCHEMA_VERSION}")
    record = ExecutionRecord.model_validate(doc)
    _load_nodes(store, record)
    if settle and not record.phase.final:
        from dockyard.runtime.driver import settle_if_orphaned

        record = settle_if_orphaned(store, record)
    return record


RecordListener = Callable[[ExecutionRecord, "str | None"], None]


class _EventLog:
    """One writer's chunks of node events (module docstring): appended where the store can append, else
    the current chunk of at most `CHUNK` lines is rewritten."""

    def __init__(self, store: Store, execution_id: str) -> None:
        self.store = store
        self.name = f"{_events_prefix(store, execution_id)}{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"
        self.chunks: list[str] = []
        self._pending: list[bytes] = []

    def append(self, line: bytes) -> None:
        if not self.chunks or (not self.store.can_append and len(self._pending) >= CHUNK):
            self.chunks.append(f"{self.name}-{len(self.chunks):06d}.jsonl")
            self._pending = []
        if self.store.can_append:
            self.store.append_bytes(self.chunks[-1], line)
        else:
            self._pending.append(line)
            self.store.write_bytes(self.chunks[-1], b"".join(self._pending))


class RecordWriter:
    """Serialises updates from parallel nodes. A node change appends one line to the event log (module
    docstring), so a run of thousands of nodes costs the same per event as a run of one; a final phase
    compacts the log into the snapshot. `on_change(record, node_id)` is called after each save (node_id
    None: the execution itself), under the writer's lock: progress views read it."""

    def __init__(
        self, store: Store, record: ExecutionRecord, on_change: RecordListener | None = None
    ) -> None:
        self.store = store
        self.record = record
        self.on_change = on_change
        self._lock = threading.Lock()
        self.uri = record_uri(store, record.execution_id)
        self._log = _EventLog(store, record.execution_id)
        self._indexed: Phase | None = None  # the phase of the last index entry written

    def node(self, node_id: str) -> NodeRecord:
        return self.record.nodes.setdefault(node_id, NodeRecord(node_id=node_id))

    def update(self, node_id: str | None = None, **changes: Any) -> None:
        """Apply `changes` to a node (or to the execution when `node_id` is None) and save it."""
        with self._lock:
            target: BaseModel = self.node(node_id) if node_id is not None else self.record
            for key, value in changes.items():
                setattr(target, key, value)
            if node_id is None:
                self._save()
            else:
                self._save_node(node_id)

    def start_attempt(self, node_id: str, attempt: int) -> AttemptRecord:
        with self._lock:
            node = self.node(node_id)
            rec = AttemptRecord(attempt=attempt, started_at=time.time())
            node.attempts.append(rec)
            node.phase = Phase.RUNNING
            self._save_node(node_id)
            return rec

    def finish_attempt(self, node_id: str, rec: AttemptRecord, **changes: Any) -> None:
        with self._lock:
            for key, value in changes.items():
                setattr(rec, key, value)
            rec.finished_at = time.time()
            self._save_node(node_id)

    def save(self) -> None:
        with self._lock:
            self._save()

    def _save(self) -> None:
        self.record.updated_at = time.time()
        self.store.write_json(self.uri, self.record.model_dump(mode="json", exclude={"nodes"}))
        if self.record.phase.final and (self._log.chunks or self.record._chunks):
            self._compact()
        if self.record.phase is not self._indexed:
            write_index_entry(self.store, self.record)
            self._indexed = self.record.phase
        if self.on_change is not None:
            self.on_change(self.record, None)

    def _save_node(self, node_id: str) -> None:
        t = time.time_ns()
        self.record._node_t[node_id] = t
        self._log.append(_event_line(t, self.record.nodes[node_id]))
        if self.on_change is not None:
            self.on_change(self.record, node_id)

    def _compact(self) -> None:
        """Write every node into the snapshot, then delete the chunks it now holds: this writer's, and
        those the record was read from (a chunk of another writer that started later is kept and read)."""
        record = self.record
        lines = [_event_line(record._node_t.get(n, 0), node) for n, node in record.nodes.items()]
        self.store.write_bytes(_snapshot_uri(self.store, record.execution_id), b"".join(lines))
        for chunk in [*record._chunks, *self._log.chunks]:
            self.store.delete(chunk)
        record._chunks = []
        self._log = _EventLog(self.store, record.execution_id)


class IndexEntry(BaseModel):
    """What a list of executions shows of one execution, as of one phase change."""

    execution_id: str
    workflow: str
    phase: Phase
    created_at: float
    updated_at: float
    message: str = ""
    project: str = "dockyard"  # taken from the record where it has them
    domain: str = "development"


def index_prefix(store: Store) -> str:
    return store.url_for("index", "executions") + "/"


def write_index_entry(store: Store, record: ExecutionRecord) -> None:
    """Append an entry named by the time of the change (`<ns>-<id>.json`, one flat folder): an
    execution's newest name is its state, and names sort oldest change first."""
    entry = IndexEntry.model_validate(record.model_dump(include=set(IndexEntry.model_fields)))
    name = f"{time.time_ns():020d}-{record.execution_id}.json"
    store.write_json(f"{index_prefix(store)}{name}", entry.model_dump(mode="json"))


def index_keys(store: Store) -> list[str]:
    """Every index entry's URI: one listing of one folder, whatever the number of executions."""
    prefix = index_prefix(store)
    return [uri for uri in store.list(prefix) if uri.endswith(".json") and "/" not in uri[len(prefix) :]]


def index_entry_id(store: Store, uri: str) -> str:
    """The execution an index entry belongs to, from its name."""
    return uri[len(index_prefix(store)) : -len(".json")].split("-", 1)[1]


def read_index_entry(store: Store, uri: str) -> IndexEntry:
    return IndexEntry.model_validate(store.read_json(uri))


def graph_uri(store: Store, execution_id: str) -> str:
    return store.url_for("executions", execution_id, "graph.json")


def save_graph(store: Store, execution_id: str, doc: dict[str, Any]) -> None:
    """Keep the workflow's graph document (`dockyard.sdk.graph.to_json`) beside its record."""
    store.write_json(graph_uri(store, execution_id), doc)


def load_graph(store: Store, execution_id: str) -> dict[str, Any] | None:
    """The execution's graph document, or None for a single task (or a run from before graphs were kept)."""
    uri = graph_uri(store, execution_id)
    return store.read_json(uri) if store.exists(uri) else None
