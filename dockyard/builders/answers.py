"""A persistent cache of positive registry answers, so a repeat run skips the registry round trip.

Only "present" is cached: a tag is content-addressed, so once it exists it keeps meaning the same inputs; an
"absent" answer goes stale the moment anyone pushes. SQLite gives safe concurrent access from many processes;
a file that is not a readable database is thrown away and rewritten, never a crash.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from dockyard.builders.registry import Present

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS answers (ref TEXT PRIMARY KEY, digest TEXT, platforms TEXT, verified_at REAL)"
)


class AnswerCache:
    """ref → Present, trusted for `ttl_s` seconds after it was verified."""

    def __init__(self, path: Path, ttl_s: int) -> None:
        self.path = path
        self.ttl_s = ttl_s
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30)
        try:
            conn.execute(_SCHEMA)
            with conn:
                yield conn
        finally:
            conn.close()

    def _run(self, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        """Run one statement; a corrupt cache file is deleted and the statement retried on a fresh one."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    with self._db() as conn:
                        return conn.execute(sql, params).fetchall()
                except sqlite3.DatabaseError:
                    if attempt == 2:
                        return []
                    self.path.unlink(missing_ok=True)
            return []

    def get(self, ref: str) -> Present | None:
        """The cached answer for `ref`, or None when there is none or it is older than the TTL."""
        if self.ttl_s <= 0:
            return None
        rows = self._run("SELECT digest, platforms, verified_at FROM answers WHERE ref = ?", (ref,))
        if not rows:
            return None
        digest, platforms, verified_at = rows[0]
        if not isinstance(verified_at, float | int) or time.time() - verified_at > self.ttl_s:
            return None
        try:
            listed = tuple(str(p) for p in json.loads(str(platforms)))
        except ValueError:
            return None
        return Present(digest=str(digest), platforms=listed)

    def put(self, ref: str, answer: Present) -> None:
        """Record that `ref` was seen in the registry just now."""
        self._run(
            "INSERT OR REPLACE INTO answers (ref, digest, platforms, verified_at) VALUES (?, ?, ?, ?)",
            (ref, answer.digest, json.dumps(list(answer.platforms)), time.time()),
        )

    def forget(self, ref: str) -> None:
        """Drop `ref`, e.g. when a forced rebuild replaces it."""
        self._run("DELETE FROM answers WHERE ref = ?", (ref,))
