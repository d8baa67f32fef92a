"""The console's list of executions: an in-memory SQLite table fed by the index beside the records.

A refresh lists the one index folder (`runtime.record.index_keys`) and reads only entries it has not seen,
so a store of 10,000 executions costs one listing per refresh and no record reads; requests only query the
table. A background thread refreshes every `refresh_s` while the app runs.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from dataclasses import dataclass

from dockyard.errors import StoreError
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.record import IndexEntry, index_entry_id, index_keys, read_index_entry

_SCHEMA = """
CREATE TABLE executions (
  id TEXT PRIMARY KEY, key TEXT, workflow TEXT, phase TEXT, project TEXT, domain TEXT,
  created_at REAL, updated_at REAL, message TEXT
);
CREATE INDEX by_created ON executions (created_at DESC);
"""


@dataclass(frozen=True)
class Query:
    phase: str | None = None
    entity: str | None = None  # the full name or its last part
    project: str | None = None
    domain: str | None = None
    search: str | None = None  # a part of the execution id
    limit: int = 50
    offset: int = 0


class ExecutionIndex:
    def __init__(self, store: Store, refresh_s: float = 1.0) -> None:
        self.store = store
        self.refresh_s = refresh_s
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def refresh(self) -> int:
        """Read the entries that appeared since the last refresh; returns how many executions changed."""
        newest: dict[str, str] = {}
        for key in index_keys(self.store):
            if key in self._seen:
                continue
            self._seen.add(key)
            execution_id = index_entry_id(self.store, key)
            newest[execution_id] = max(key, newest.get(execution_id, ""))
        rows = []
        for execution_id, key in newest.items():
            try:
                entry = read_index_entry(self.store, key)
            except (StoreError, ValueError):  # a half-written or foreign entry: the next one counts
                continue
            rows.append(_row(execution_id, key, entry))
        with self._lock:
            # an entry replaces a row only when it is newer (names are the time of the change)
            self._db.executemany(
                "INSERT INTO executions VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
                "key=excluded.key, workflow=excluded.workflow, phase=excluded.phase, "
                "project=excluded.project, domain=excluded.domain, created_at=excluded.created_at, "
                "updated_at=excluded.updated_at, message=excluded.message WHERE excluded.key > key",
                rows,
            )
        return len(rows)

    def query(self, q: Query) -> tuple[int, list[IndexEntry]]:
        """(how many match, the page asked for), newest first."""
        where, args = [], []
        if q.phase:
            where.append("phase = ?")
            args.append(q.phase)
        if q.entity:
            where.append("(workflow = ? OR workflow LIKE ? ESCAPE '\\')")
            args += [q.entity, "%." + _like(q.entity)]
        if q.project:
            where.append("project = ?")
            args.append(q.project)
        if q.domain:
            where.append("domain = ?")
            args.append(q.domain)
        if q.search:
            where.append("id LIKE ? ESCAPE '\\'")
            args.append("%" + _like(q.search) + "%")
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        with self._lock:
            total = self._db.execute(f"SELECT COUNT(*) FROM executions{clause}", args).fetchone()[0]
            found = self._db.execute(
                "SELECT id, workflow, phase, project, domain, created_at, updated_at, message "
                f"FROM executions{clause} ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
                [*args, q.limit, q.offset],
            ).fetchall()
        names = (
            "execution_id",
            "workflow",
            "phase",
            "project",
            "domain",
            "created_at",
            "updated_at",
            "message",
        )
        return int(total), [IndexEntry.model_validate(dict(zip(names, row, strict=True))) for row in found]

    def facets(self) -> dict[str, list[str]]:
        """The values the filters offer: workflows, projects and domains seen."""
        with self._lock:
            return {
                col: [r[0] for r in self._db.execute(f"SELECT DISTINCT {col} FROM executions ORDER BY 1")]
                for col in ("workflow", "project", "domain")
            }

    # -- the background refresh ----------------------------------------------------------------------
    def start(self) -> None:
        self.refresh()
        self._thread = threading.Thread(target=self._loop, name="dockyard-console-index", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        """Refresh every `refresh_s`, or twice as long as a refresh takes when that is longer (a slow
        store's listing must not keep a core busy)."""
        took = 0.0
        while not self._stop.wait(max(self.refresh_s, 2 * took)):
            start = time.monotonic()
            with contextlib.suppress(StoreError):  # the store is away for a moment: keep what we have
                self.refresh()
            took = time.monotonic() - start


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _row(execution_id: str, key: str, e: IndexEntry) -> tuple[object, ...]:
    return (
        execution_id,
        key,
        e.workflow,
        e.phase.value,
        e.project,
        e.domain,
        e.created_at,
        e.updated_at,
        e.message,
    )
