"""FlyteDirectory: a folder by reference; it travels by URI (a prefix ending in '/'), downloads lazily."""

from __future__ import annotations

import os
import typing
import uuid
from pathlib import Path
from typing import Any

from dockyard.errors import DockyardError
from dockyard.sdk.data import BlobStore
from dockyard.sdk.types import transfer
from dockyard.sdk.types.file import FlyteFile, _Reference


class FlyteDirectory(_Reference):
    """A folder by reference. `path` is the local folder (after `download()`), `remote_source` its URI.

    `FlyteDirectory[TypeVar("tfrecord")]` records a format hint for the files inside.

    `downloader` is accepted for flytekit compatibility and not used: the store does the downloading.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        downloader: Any = None,
        remote_directory: str | bool | None = None,
        *,
        remote_source: str | None = None,
        store: BlobStore | None = None,
    ) -> None:
        self._refer(path, remote_source, store)
        self._remote_directory = remote_directory

    @property
    def remote_directory(self) -> str | bool | None:
        return self._remote_directory

    def download(self) -> str:
        """Fetch every file under the folder (once) and return its local path."""
        if not self._downloaded and self._remote_source is not None:
            source = self._remote_source if self._remote_source.endswith("/") else self._remote_source + "/"
            try:
                transfer.fetch(source, Path(self.path), self._store)
            except DockyardError:
                if self._store is None or next(iter(self._store.list(source)), None) is not None:
                    raise
            Path(self.path).mkdir(parents=True, exist_ok=True)  # an empty folder stores no blobs
            self._downloaded = True
        return self.path

    @classmethod
    def new_remote(cls, stem: str | None = None) -> FlyteDirectory:
        """A new, empty folder to fill, stored as an output when returned from a task."""
        binding = transfer.current_store()
        remote = binding.url_for(stem or uuid.uuid4().hex) + "/" if binding else None
        return cls(transfer.new_local_dir(), remote_directory=remote)

    @classmethod
    def new(cls, dirname: str) -> FlyteDirectory:
        """A new local folder named `dirname` in a fresh folder of the raw-output area."""
        path = transfer.new_local_dir() / dirname
        path.mkdir()
        return cls(path)

    def new_file(self, name: str) -> FlyteFile:
        """A file inside this folder, to write before returning the folder."""
        return FlyteFile(Path(self.path) / name)

    def new_dir(self, name: str) -> FlyteDirectory:
        """A sub-folder of this folder."""
        path = Path(self.path) / name
        path.mkdir(parents=True, exist_ok=True)
        return FlyteDirectory(path)

    @classmethod
    def listdir(cls, directory: FlyteDirectory) -> list[FlyteFile | FlyteDirectory]:
        """The entries directly inside `directory` (downloading it first)."""
        root = Path(directory.download())
        return [FlyteDirectory(p) if p.is_dir() else FlyteFile(p) for p in sorted(root.iterdir())]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FlyteDirectory):
            return NotImplemented
        return (self.path, self._remote_source) == (other.path, other._remote_source)

    def __hash__(self) -> int:
        return hash((self.path, self._remote_source))


# flytekit's named folder formats
TensorboardLogs = FlyteDirectory[typing.TypeVar("tensorboard")]  # type: ignore[misc,valid-type]
TFRecordsDirectory = FlyteDirectory[typing.TypeVar("tfrecord")]  # type: ignore[misc,valid-type]
