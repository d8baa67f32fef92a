"""Context variables set by the caller (the runtime's store binding, a raw output dir) reach every thread a
local execution runs task bodies in: parallel nodes, map items and timeout-guarded bodies."""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path

import pytest

from dockyard import map_task, task, workflow
from dockyard.sdk.local import run
from dockyard.sdk.types.transfer import current_store, use_store

MARK: ContextVar[str] = ContextVar("test_mark", default="unset")


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKYARD_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    from dockyard.config import get_settings

    get_settings.cache_clear()


@task
def mark(x: int) -> str:
    return f"{MARK.get()}-{x}"


@task(timeout=30)
def mark_guarded(x: int) -> str:
    return f"{MARK.get()}-{x}"


@task
def store_prefix(x: int) -> str:
    binding = current_store()
    return "none" if binding is None else f"{binding.prefix}-{x}"


@workflow
def parallel() -> list[str]:
    a = mark(x=1)
    b = mark(x=2)
    c = store_prefix(x=3)
    return [a, b, c]


@workflow
def mapped(xs: list[int]) -> list[str]:
    return map_task(mark, concurrency=3)(x=xs)


def test_parallel_nodes_see_the_callers_context(tmp_path: Path) -> None:
    from dockyard.runtime.blobstore import open_store

    store = open_store(f"file://{tmp_path / 'store'}")
    token = MARK.set("outer")
    try:
        with use_store(store, "executions/x/raw"):
            out = run(parallel)
    finally:
        MARK.reset(token)
    assert out == ["outer-1", "outer-2", "executions/x/raw-3"]


def test_map_items_see_the_callers_context() -> None:
    token = MARK.set("outer")
    try:
        out = run(mapped, {"xs": [1, 2, 3, 4]})
    finally:
        MARK.reset(token)
    assert out == ["outer-1", "outer-2", "outer-3", "outer-4"]


def test_a_timeout_guarded_body_sees_the_callers_context() -> None:
    token = MARK.set("outer")
    try:
        assert run(mark_guarded, {"x": 5}) == "outer-5"
    finally:
        MARK.reset(token)
