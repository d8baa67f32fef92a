"""Stores of real records for the console's API tests: written by the runtime's own RecordWriter, with the
graph document of a real compiled workflow (tests/console/workflows/flows.py), no containers needed."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dockyard.config import Settings, load_settings
from dockyard.console.app import CSRF_COOKIE, create_app
from dockyard.runtime.blobstore import LocalStore
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.phase import Phase
from dockyard.runtime.protocol import map_inputs_uri
from dockyard.runtime.record import (
    ExecutionRecord,
    RecordWriter,
    save_graph,
)
from dockyard.sdk.entities import load_entity
from dockyard.sdk.graph import to_json
from dockyard.sdk.types.literal import literals_to_json

FLOWS = Path(__file__).parent / "workflows" / "flows.py"


def squares_graph() -> dict[str, Any]:
    sys.modules.pop("flows", None)
    return to_json(load_entity(f"{FLOWS}:squares").graph)


def write_squares(store: Store, execution_id: str, *, created_at: float, finished: bool = True) -> None:
    """The record `squares(n=5)` leaves: item 3 of the map failed, the conditional took its first case."""
    record = ExecutionRecord(execution_id=execution_id, workflow="flows.squares", created_at=created_at)
    writer = RecordWriter(store, record)
    writer.save()
    save_graph(store, execution_id, squares_graph())
    store.write_bytes(
        map_inputs_uri(store, execution_id, "n0-n1"),
        literals_to_json({"x": {"list": [{"int": i} for i in range(5)]}}).encode(),
    )
    for node, phase in [("n0-n0", "succeeded")] + [(f"n0-n1-{i}", "succeeded") for i in (0, 1, 2, 4)]:
        rec = writer.start_attempt(node, 0)
        writer.finish_attempt(node, rec, phase=phase, exit_code=0)
        writer.update(node, phase=Phase.SUCCEEDED, task="flows.square")
    rec = writer.start_attempt("n0-n1-3", 0)
    writer.finish_attempt("n0-n1-3", rec, phase="failed", exit_code=1, message="ValueError: three")
    writer.update("n0-n1-3", phase=Phase.FAILED, message="ValueError: three")
    for node in ("n0-n2", "n0-n3"):
        rec = writer.start_attempt(node, 0)
        if finished:
            writer.finish_attempt(node, rec, phase="succeeded", exit_code=0)
            writer.update(node, phase=Phase.SUCCEEDED)
    if finished:
        writer.update(phase=Phase.SUCCEEDED)


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(f"file://{tmp_path}/store")


def console_settings(store: Store, **console: Any) -> Settings:
    return load_settings({"store": {"url": store.url}, "console": console}, environ={})


@pytest.fixture
def client(store: LocalStore) -> Iterator[TestClient]:
    app = create_app(store, console_settings(store), refresh_s=0.05)
    with TestClient(app) as c:
        c.cookies.set(CSRF_COOKIE, "t0ken")
        yield c
