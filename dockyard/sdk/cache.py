"""The local task cache: task outputs in SQLite, keyed by task, cache_version, interface and input hash.

The same key is used by the runtime's catalog in the blob store, so a key computed here means the same
thing everywhere. The database lives at `settings.cache.path`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

CACHE_SCHEMA = 1


def cache_key(task: Any, inputs: dict[str, Any]) -> str:
    """sha256 of the task name, cache_version, interface and the hash of the (non-ignored) input literals."""
    from dockyard.sdk.types import hash_literals

    ignored = task.cache_ignore_input_vars
    kept = {k: v for k, v in inputs.items() if k not in ignored} if ignored else inputs
    parts = [CACHE_SCHEMA, task.name, task.cache_version, task.interface.key, hash_literals(kept)]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


class LocalCache:
    """A SQLite catalog, safe to share between the threads of one execution."""

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            from dockyard.config import get_settings

            path = get_settings().cache.path
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            conn.execute(
                "CREATE TABLE IF NOT EXISTS task_cache "
                "(key TEXT PRIMARY KEY, task TEXT NOT NULL, outputs TEXT NOT NULL, created REAL NOT NULL)"
            )
            conn.commit()
            self._conn = conn
        return self._conn

    def get(self, key: str) -> dict[str, Any] | None:
        from dockyard.sdk.types import literals_from_json

        with self._lock:
            row = self._db().execute("SELECT outputs FROM task_cache WHERE key = ?", (key,)).fetchone()
        return None if row is None else literals_from_json(row[0])

    def put(self, key: str, task_name: str, outputs: dict[str, Any]) -> None:
        from dockyard.sdk.types import literals_to_json

        text = literals_to_json(outputs)
        with self._lock:
            db = self._db()
            db.execute(
                "INSERT OR REPLACE INTO task_cache (key, task, outputs, created) VALUES (?, ?, ?, ?)",
                (key, task_name, text, time.time()),
            )
            db.commit()

    def clear(self, task_name: str | None = None) -> int:
        """Delete every entry (or one task's); return how many were removed."""
        if not self.path.exists():
            return 0
        with self._lock:
            db = self._db()
            if task_name is None:
                cur = db.execute("DELETE FROM task_cache")
            else:
                cur = db.execute("DELETE FROM task_cache WHERE task = ?", (task_name,))
            db.commit()
            return cur.rowcount

    def count(self) -> int:
        if not self.path.exists():
            return 0
        with self._lock:
            return int(self._db().execute("SELECT COUNT(*) FROM task_cache").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


_shared: dict[Path, LocalCache] = {}
_shared_lock = threading.Lock()


def shared_cache() -> LocalCache:
    """The process-wide cache for the configured path (one connection, shared by local executions)."""
    from dockyard.config import get_settings

    path = get_settings().cache.path
    with _shared_lock:
        found = _shared.get(path)
        if found is None:
            found = _shared[path] = LocalCache(path)
        return found


def clear(task_name: str | None = None, path: Path | None = None) -> int:
    """Empty the local cache (`dockyard cache clear`); return the number of entries removed."""
    return LocalCache(path).clear(task_name) if path is not None else shared_cache().clear(task_name)
