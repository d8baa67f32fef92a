"""Code bundles (deterministic, ignore files honoured, content-addressed) and the execution record."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path
from typing import Any

import pytest

from dockyard.errors import StoreError
from dockyard.runtime.blobstore import LocalStore
from dockyard.runtime.bundle import build_bundle, bundle_files, fetch_bundle, upload_bundle
from dockyard.runtime.phase import Phase
from dockyard.runtime.record import (
    ExecutionRecord,
    RecordWriter,
    index_entry_id,
    index_keys,
    load_record,
    read_index_entry,
    record_uri,
)


def make_tree(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "wf.py").write_text("X = 1\n")
    (root / "pkg" / "run.sh").write_text("#!/bin/sh\n")
    (root / "pkg" / "run.sh").chmod(0o755)
    (root / "data").mkdir()
    (root / "data" / "big.csv").write_text("a,b\n")
    (root / "notes.log").write_text("x")
    (root / "pkg" / "__pycache__").mkdir()
    (root / "pkg" / "__pycache__" / "wf.cpython-311.pyc").write_bytes(b"\0")
    (root / ".gitignore").write_text("*.log\n")
    (root / ".dockerignore").write_text("data/\n")
    return root


def test_bundle_honours_ignore_files(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "src")
    assert [p.as_posix() for p in bundle_files(root)] == [
        ".dockerignore",
        ".gitignore",
        "pkg/run.sh",
        "pkg/wf.py",
    ]


def test_bundle_is_deterministic_across_mtimes_and_copies(tmp_path: Path) -> None:
    first = build_bundle(make_tree(tmp_path / "a"))
    other = make_tree(tmp_path / "b")
    os.utime(other / "pkg" / "wf.py", (1_000_000, 1_000_000))
    assert build_bundle(other) == first
    (other / "pkg" / "wf.py").write_text("X = 2\n")
    assert build_bundle(other) != first
    with tarfile.open(fileobj=io.BytesIO(first), mode="r:gz") as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert members["pkg/run.sh"].mode == 0o755
    assert members["pkg/wf.py"].mode == 0o644
    assert {m.mtime for m in members.values()} == {0}
    assert {m.uid for m in members.values()} == {0}


def test_bundle_is_content_addressed_and_unpacks(tmp_path: Path) -> None:
    store = LocalStore(f"file://{tmp_path}/store")
    root = make_tree(tmp_path / "src")
    uri = upload_bundle(root, store)
    assert uri.startswith(store.url_for("bundles")) and uri.endswith(".tar.gz")
    assert upload_bundle(root, store) == uri
    out = fetch_bundle(uri, store, tmp_path / "out")
    assert (out / "pkg" / "wf.py").read_text() == "X = 1\n"
    assert not (out / "data").exists()


def test_fetch_refuses_a_bundle_whose_content_is_not_its_digest(tmp_path: Path) -> None:
    store = LocalStore(f"file://{tmp_path}/store")
    uri = upload_bundle(make_tree(tmp_path / "src"), store)
    (tmp_path / "src" / "pkg" / "wf.py").write_text("X = 2\n")
    other = upload_bundle(tmp_path / "src", store)
    store.write_bytes(uri, store.read_bytes(other))  # its name no longer says what is inside
    with pytest.raises(StoreError, match="does not match the digest"):
        fetch_bundle(uri, store, tmp_path / "out")


def test_fetch_refuses_members_outside_the_root(tmp_path: Path) -> None:
    store = LocalStore(f"file://{tmp_path}/store")
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        info = tarfile.TarInfo("../escape.py")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    uri = store.write_bytes(store.url_for("bundles", "evil.tar.gz"), raw.getvalue())
    with pytest.raises(StoreError, match=r"escape\.py"):
        fetch_bundle(uri, store, tmp_path / "out")
    assert not (tmp_path / "escape.py").exists()


def test_record_round_trip_and_updates(tmp_path: Path) -> None:
    store = LocalStore(f"file://{tmp_path}/store")
    writer = RecordWriter(store, ExecutionRecord(execution_id="e1", workflow="wf.main"))
    rec = writer.start_attempt("n0", 0)
    writer.finish_attempt("n0", rec, phase="failed", exit_code=137, error_kind="system")
    writer.start_attempt("n0", 1)
    writer.update("n0", phase=Phase.SUCCEEDED, outputs_uri="file:///x/outputs/")
    writer.update(phase=Phase.SUCCEEDED)
    loaded = load_record(store, "e1")
    assert loaded.phase is Phase.SUCCEEDED
    assert [a.attempt for a in loaded.nodes["n0"].attempts] == [0, 1]
    assert loaded.nodes["n0"].attempts[0].exit_code == 137
    assert loaded.nodes["n0"].outputs_uri == "file:///x/outputs/"
    assert store.read_json(record_uri(store, "e1"))["schema_version"] == 1


def test_index_gets_one_entry_per_phase_change(tmp_path: Path) -> None:
    store = LocalStore(f"file://{tmp_path}/store")
    writer = RecordWriter(store, ExecutionRecord(execution_id="e1", workflow="wf.main"))
    writer.save()
    writer.update("n0", phase=Phase.RUNNING)  # node changes leave the index alone
    writer.save()
    writer.update(phase=Phase.FAILED, message="boom")
    keys = index_keys(store)
    assert len(keys) == 2 and keys == sorted(keys)
    assert all(k.rpartition("/")[2].endswith("-e1.json") for k in keys)
    assert {index_entry_id(store, k) for k in keys} == {"e1"}
    first, last = (read_index_entry(store, k) for k in keys)
    assert (first.phase, last.phase) == (Phase.RUNNING, Phase.FAILED)
    assert (last.workflow, last.message) == ("wf.main", "boom")


def test_missing_or_future_record_is_a_clear_error(tmp_path: Path) -> None:
    store = LocalStore(f"file://{tmp_path}/store")
    with pytest.raises(StoreError, match="execution nope: no record"):
        load_record(store, "nope")
    store.write_json(record_uri(store, "e2"), {"schema_version": 99})
    with pytest.raises(StoreError, match="schema_version 99"):
        load_record(store, "e2")


def test_kubernetes_with_a_file_store_is_refused_before_any_build(tmp_path: Path) -> None:
    from dockyard.config import load_settings
    from dockyard.errors import ConfigError
    from dockyard.runtime.remote import run_remote
    from dockyard.sdk.entities import load_entity

    class NoBuilds:
        def ensure(self, specs: Any, **kwargs: Any) -> Any:
            raise AssertionError("an image was built before the backend was checked")

    store = tmp_path / "store"
    settings = load_settings(
        {"executor": {"backend": "kubernetes"}, "store": {"url": f"file://{store}"}}, environ={}
    )
    workflows = Path(__file__).parent / "workflows"
    wf = load_entity(f"{workflows / 'faults.py'}:greet")
    with pytest.raises(ConfigError, match="pods cannot reach a local folder") as info:
        run_remote(wf, {"name": "x"}, source_root=workflows, settings=settings, engine=NoBuilds())
    assert info.value.exit_code == 2
    assert not store.exists()  # no bundle uploaded either


def test_kubernetes_backend_refuses_a_local_store(tmp_path: Path) -> None:
    from dockyard.config import load_settings
    from dockyard.errors import ConfigError
    from dockyard.runtime.remote import make_executor

    settings = load_settings({"executor": {"backend": "kubernetes"}}, environ={})
    with pytest.raises(ConfigError, match="pods cannot reach a local folder"):
        make_executor(settings, LocalStore(f"file://{tmp_path}"))
