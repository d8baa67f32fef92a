"""`dockyard status` and `dockyard logs` read a record the driver left in the store (no driver running)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from dockyard.runtime.blobstore import LocalStore
from dockyard.runtime.phase import Phase
from dockyard.runtime.record import ExecutionRecord, RecordWriter


def dockyard(*args: str, store: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", "from dockyard.cli.main import main; main()", *args, "--store", store]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def make_record(root: Path) -> LocalStore:
    store = LocalStore(f"file://{root}")
    writer = RecordWriter(store, ExecutionRecord(execution_id="e42", workflow="wf.pipeline"))
    rec = writer.start_attempt("n0", 0)
    logs = store.write_bytes(
        store.url_for("executions", "e42", "nodes", "n0", "0", "logs.txt"), b"first try\n"
    )
    writer.finish_attempt(
        "n0", rec, phase="failed", exit_code=137, logs_uri=logs, message="system error: killed"
    )
    rec = writer.start_attempt("n0", 1)
    logs = store.write_bytes(
        store.url_for("executions", "e42", "nodes", "n0", "1", "logs.txt"), b"training done\n"
    )
    writer.finish_attempt("n0", rec, phase="succeeded", exit_code=0, logs_uri=logs)
    writer.update("n0", phase=Phase.SUCCEEDED, task="wf.train")
    writer.update(phase=Phase.SUCCEEDED)
    return store


def test_status_lists_nodes_and_attempts(tmp_path: Path) -> None:
    store = make_record(tmp_path)
    out = dockyard("status", "e42", store=store.url)
    assert out.returncode == 0, out.stderr
    assert "e42" in out.stdout and "succeeded" in out.stdout and "wf.train" in out.stdout
    doc = json.loads(dockyard("status", "e42", "-o", "json", store=store.url).stdout)
    assert [a["exit_code"] for a in doc["nodes"]["n0"]["attempts"]] == [137, 0]


def test_logs_of_last_and_given_attempt(tmp_path: Path) -> None:
    store = make_record(tmp_path)
    assert dockyard("logs", "e42", "n0", store=store.url).stdout == "training done\n"
    assert dockyard("logs", "e42", "n0", "--attempt", "0", store=store.url).stdout == "first try\n"


def test_unknown_execution_and_node_are_one_line_errors(tmp_path: Path) -> None:
    store = make_record(tmp_path)
    missing = dockyard("status", "nope", store=store.url)
    assert missing.returncode == 6
    assert "execution nope: no record" in missing.stderr
    node = dockyard("logs", "e42", "n9", store=store.url)
    assert node.returncode == 5
    assert "no node 'n9'" in node.stderr


def test_status_prints_messages_as_they_are_in_aligned_columns(tmp_path: Path) -> None:
    store = LocalStore(f"file://{tmp_path}")
    writer = RecordWriter(store, ExecutionRecord(execution_id="e7", workflow="wf.fan"))
    for i in range(12):
        node = f"n0-n{i}"
        writer.start_attempt(node, 0)
        message = "ValueError: [bold]x[/bold] in [1, 2]\nsecond line" if i == 3 else ""
        writer.update(
            node, task="wf.double", phase=Phase.FAILED if i == 3 else Phase.SUCCEEDED, message=message
        )
    writer.update(phase=Phase.FAILED)
    out = dockyard("status", "e7", store=store.url)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    rows = [line for line in lines if line.lstrip().startswith("n0-n")]
    assert len(rows) == 12
    assert "ValueError: [bold]x[/bold] in [1, 2] second line" in rows[3]  # no markup, one line a node
    assert len({line.index("wf.double") for line in rows}) == 1  # the task column lines up
    assert len({line.index("1 ", line.index("ed ")) for line in rows}) == 1  # and the attempts column
