"""Checkpoints that survive the container: each write goes to the blob store at once.

A killed container writes nothing on its way out, so a checkpoint synced only at exit would be lost; here
`write`/`save` upload the attempt's checkpoint folder as soon as the task makes it, and the next attempt
downloads the newest one before the task starts.
"""

from __future__ import annotations

from io import BufferedReader
from pathlib import Path

from dockyard.runtime.blobstore.base import Store
from dockyard.sdk.context import Checkpoint


class StoreCheckpoint(Checkpoint):
    """flytekit's SyncCheckpoint semantics, with the current folder mirrored to `current_uri`."""

    def __init__(self, store: Store, current_uri: str, local_dir: Path, previous: Path | None) -> None:
        super().__init__(local_dir, previous)
        self._store = store
        self._current_uri = current_uri.rstrip("/") + "/"

    def save(self, cp: str | Path | BufferedReader) -> None:
        super().save(cp)
        self._sync()

    def write(self, b: bytes) -> None:
        super().write(b)
        self._sync()

    def _sync(self) -> None:
        for file in sorted(p for p in self.path.rglob("*") if p.is_file() and not p.name.startswith("._")):
            self._store.put(file, self._current_uri + file.relative_to(self.path).as_posix())


def restore_previous(store: Store, previous_uri: str | None, local_dir: Path) -> Path | None:
    """Download the previous attempt's checkpoint, if it left one; None otherwise."""
    if not previous_uri:
        return None
    prefix = previous_uri.rstrip("/") + "/"
    if not any(True for _ in store.list(prefix)):
        return None
    return store.get(prefix, local_dir)
