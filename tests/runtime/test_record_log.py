"""The execution record's node log: appends per event, a snapshot at the end, readers that tolerate a torn
line, a second writer and the first layout; on a real folder and on a moto S3 server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dockyard.config import load_settings
from dockyard.runtime import record as record_module
from dockyard.runtime.blobstore import LocalStore, Store, open_store
from dockyard.runtime.phase import Phase
from dockyard.runtime.record import ExecutionRecord, RecordWriter, load_record

from .conftest import MotoProcess, make_bucket


class Counting:
    """A store that counts what goes through it (bytes written per call, documents read)."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.written: list[tuple[str, str, int]] = []  # (how, uri, bytes)
        self.reads: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def write_bytes(self, uri: str, data: bytes) -> str:
        self.written.append(("write", uri, len(data)))
        return str(self.inner.write_bytes(uri, data))

    def write_json(self, uri: str, doc: Any) -> str:
        return self.write_bytes(uri, json.dumps(doc).encode())

    def append_bytes(self, uri: str, data: bytes) -> None:
        self.written.append(("append", uri, len(data)))
        self.inner.append_bytes(uri, data)

    def read_bytes(self, uri: str) -> bytes:
        self.reads.append(uri)
        return bytes(self.inner.read_bytes(uri))

    def read_json(self, uri: str) -> Any:
        return json.loads(self.read_bytes(uri))


@pytest.fixture(params=["file", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "file":
        return LocalStore(f"file://{tmp_path}/store")
    moto: MotoProcess = request.getfixturevalue("moto")
    settings = load_settings({"store": {"s3_endpoint_url": moto.endpoint}}, environ={})
    return open_store(f"s3://{make_bucket(moto.endpoint)}/root", settings)


def run_nodes(writer: RecordWriter, count: int) -> None:
    """Each node as the orchestrator records it: task, attempt started, attempt finished, succeeded."""
    for i in range(count):
        node = f"n0-n{i}"
        writer.update(node, task="wf.double")
        rec = writer.start_attempt(node, 0)
        writer.finish_attempt(node, rec, phase="succeeded", exit_code=0)
        writer.update(node, phase=Phase.SUCCEEDED, outputs_uri=f"file:///o/{i}")


def test_an_event_costs_the_same_in_a_run_of_one_node_and_of_many(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(record_module, "CHUNK", 8)  # s3: a write is at most 8 lines, whatever the run
    costs = []
    for count in (1, 300):
        counting = Counting(store)
        writer = RecordWriter(counting, ExecutionRecord(execution_id=f"e{count}", workflow="wf.main"))  # type: ignore[arg-type]
        run_nodes(writer, count)
        node_writes = [w for w in counting.written if "/events/" in w[1]]
        assert len(node_writes) == 4 * count  # one write per event
        costs.append(max(size for _, _, size in node_writes))
        if store.can_append:  # one line appended per event, never a rewrite
            assert {how for how, _, _ in node_writes} == {"append"}
    # the largest write does not grow with the run (s3: 4 lines in the small run, at most 8 in the big)
    assert costs[1] <= (1 if store.can_append else 2) * costs[0] + 64


def test_a_finished_record_is_read_from_two_documents(store: Store) -> None:
    writer = RecordWriter(store, ExecutionRecord(execution_id="e1", workflow="wf.main"))
    run_nodes(writer, 50)
    writer.update(phase=Phase.SUCCEEDED)
    counting = Counting(store)
    loaded = load_record(counting, "e1")  # type: ignore[arg-type]
    assert [uri.rsplit("/", 1)[1] for uri in counting.reads] == ["record.json", "nodes.jsonl"]
    assert len(loaded.nodes) == 50 and loaded.phase is Phase.SUCCEEDED
    assert loaded.nodes["n0-n7"].outputs_uri == "file:///o/7"
    assert loaded.nodes["n0-n7"].attempts[0].exit_code == 0
    assert not list(store.list(store.url_for("executions", "e1", "events") + "/"))  # folded in


def test_chunks_roll_over_where_the_store_cannot_append(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(record_module, "CHUNK", 5)
    counting = Counting(store)
    writer = RecordWriter(counting, ExecutionRecord(execution_id="e1", workflow="wf.main"))  # type: ignore[arg-type]
    writer.save()
    run_nodes(writer, 6)  # 24 events
    chunks = sorted({uri for _, uri, _ in counting.written if "/events/" in uri})
    assert len(chunks) == (1 if store.can_append else 5)
    loaded = load_record(store, "e1")
    assert [n.phase for n in loaded.nodes.values()] == [Phase.SUCCEEDED] * 6


def test_newest_line_wins_a_torn_line_is_skipped_and_a_resume_appends(store: Store) -> None:
    writer = RecordWriter(store, ExecutionRecord(execution_id="e1", workflow="wf.main"))
    rec = writer.start_attempt("n0", 0)
    writer.finish_attempt("n0", rec, phase="failed", exit_code=1)
    writer.update("n0", phase=Phase.FAILED)
    writer.update(phase=Phase.FAILED)  # compacted: the snapshot holds n0 failed
    chunk = store.url_for("executions", "e1", "events", "00000000000000000000-torn-000000.jsonl")
    store.write_bytes(chunk, b'{"t": 1, "node": {"node_id": "n0", "phase": "succ')  # a killed appender
    resumed = load_record(store, "e1")
    assert resumed.nodes["n0"].phase is Phase.FAILED
    resumed.phase = Phase.RUNNING
    second = RecordWriter(store, resumed)  # a resumed run: a new writer on the loaded record
    second.start_attempt("n0", 1)
    second.update("n0", phase=Phase.SUCCEEDED)
    during = load_record(store, "e1", settle=False)  # snapshot + the second writer's chunk
    assert during.nodes["n0"].phase is Phase.SUCCEEDED
    assert [a.attempt for a in during.nodes["n0"].attempts] == [0, 1]
    second.update(phase=Phase.SUCCEEDED)
    final = load_record(store, "e1")
    assert final.nodes["n0"].phase is Phase.SUCCEEDED
    assert not list(store.list(store.url_for("executions", "e1", "events") + "/"))


def test_records_of_the_first_layout_are_still_read(store: Store) -> None:
    doc = ExecutionRecord(execution_id="old", workflow="wf.main", phase=Phase.SUCCEEDED)
    store.write_json(store.url_for("executions", "old", "record.json"), doc.model_dump(mode="json"))
    for node in ("n0", "n1"):
        state = {"node_id": node, "task": "wf.t", "phase": "succeeded", "attempts": []}
        store.write_json(store.url_for("executions", "old", "states", f"{node}.json"), state)
    loaded = load_record(store, "old")
    assert sorted(loaded.nodes) == ["n0", "n1"] and loaded.nodes["n1"].task == "wf.t"


def test_reading_a_record_pauses_the_collector_and_leaves_it_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nodes are built with the cyclic collector off (many objects, no garbage); it is on again after,
    and a program that turned it off finds it still off."""
    import gc

    store = LocalStore(f"file://{tmp_path}/store")
    writer = RecordWriter(store, ExecutionRecord(execution_id="e1", workflow="wf.main"))
    run_nodes(writer, 3)
    writer.update(phase=Phase.SUCCEEDED)
    seen: list[bool] = []
    validate = record_module._EVENTS.validate_json
    monkeypatch.setattr(
        record_module._EVENTS, "validate_json", lambda data: seen.append(gc.isenabled()) or validate(data)
    )
    assert gc.isenabled()
    assert len(load_record(store, "e1").nodes) == 3
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        load_record(store, "e1")
        assert not gc.isenabled()
    finally:
        gc.enable()
