"""FlyteFile: a reference to one file that travels by URI and is downloaded lazily where it is used."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import IO, Any

from dockyard.sdk.data import BlobStore
from dockyard.sdk.types import transfer
from dockyard.sdk.types.formats import FormatHinted
from dockyard.sdk.types.pydantic_fields import PydanticField


class _Reference(FormatHinted, PydanticField, os.PathLike[str]):
    """What FlyteFile and FlyteDirectory share: a local `path` and the URI it arrived from, if any."""

    path: str
    _remote_source: str | None
    _store: BlobStore | None
    _downloaded: bool

    def _refer(
        self, path: str | os.PathLike[str], remote_source: str | None, store: BlobStore | None
    ) -> None:
        """Set what is referred to; a URI given as the path becomes the remote source (`_split_uri`)."""
        self.path, self._remote_source, self._store = _split_uri(os.fspath(path), remote_source, store)
        self._downloaded = self._remote_source is None

    def download(self) -> str:
        raise NotImplementedError

    def __fspath__(self) -> str:
        return self.download()

    @property
    def remote_source(self) -> str | None:
        """The URI this file or folder arrived from, or None for a local one."""
        return self._remote_source

    @property
    def downloaded(self) -> bool:
        return self._downloaded

    def __repr__(self) -> str:
        source = f", remote_source={self._remote_source!r}" if self._remote_source else ""
        return f"{type(self).__name__}(path={self.path!r}{source})"

    def __str__(self) -> str:
        return self.path


class FlyteFile(_Reference):
    """A file by reference; `FlyteFile[TypeVar("csv")]` (or `FlyteFile["csv"]`) records a format hint.

    `path` is where the file is (or will be, once downloaded) on this machine; `remote_source` is the URI it
    came from when it arrived through a blob store. `os.fspath(ff)` and `open(ff)` download it first.
    `downloader` is accepted for flytekit compatibility and not used: the store does the downloading.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        downloader: Any = None,
        remote_path: str | bool | None = None,
        *,
        remote_source: str | None = None,
        store: BlobStore | None = None,
    ) -> None:
        self._refer(path, remote_source, store)
        self._remote_path = remote_path

    @property
    def remote_path(self) -> str | bool | None:
        """Where the file goes when it becomes an output (`new_remote_file`); False: keep the local path."""
        return self._remote_path

    def download(self) -> str:
        """Fetch the file (once) and return its local path."""
        if not self._downloaded and self._remote_source is not None:
            transfer.fetch(self._remote_source, Path(self.path), self._store)
            self._downloaded = True
        return self.path

    def open(self, mode: str = "rb", **kwargs: Any) -> IO[Any]:
        """Open the local copy; a file opened for writing is uploaded anew when it is returned."""
        if "w" not in mode and "x" not in mode:  # reading, appending or updating needs the content
            self.download()
        if any(c in mode for c in "wax+"):
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._remote_source = None  # changed here: no longer the stored blob
            self._downloaded = True
        return open(self.path, mode, **kwargs)

    @classmethod
    def new_remote_file(cls, name: str | None = None) -> FlyteFile:
        """A new file to write (`open("w")`), stored as an output when returned from a task."""
        binding = transfer.current_store()
        name = name or uuid.uuid4().hex
        remote = binding.url_for(uuid.uuid4().hex, name) if binding else None
        return cls(transfer.new_local_dir() / name, remote_path=remote)

    new_remote = new_remote_file

    @classmethod
    def new(cls, filename: str) -> FlyteFile:
        """A new local file in a fresh folder of the raw-output area."""
        return cls(transfer.new_local_dir() / filename)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):  # flytekit compares a file with a path string
            return self.path == other
        if not isinstance(other, FlyteFile):
            return NotImplemented
        return (self.path, self._remote_source) == (other.path, other._remote_source)

    def __hash__(self) -> int:
        return hash((self.path, self._remote_source))


def _split_uri(
    path: str, remote_source: str | None, store: BlobStore | None
) -> tuple[str, str | None, BlobStore | None]:
    """A URI given as the path becomes the remote source, with a local download target as the path."""
    if remote_source is not None or not transfer.is_remote(path):
        return path, remote_source, store
    current = transfer.current_blob_store()
    if current is None and path.startswith("file://"):
        return path[len("file://") :], None, store
    return str(transfer.download_target(path)), path, store or current


class FileExt:
    """A format with dots in it: `FlyteFile[Annotated[str, FileExt("tar.gz")]]`."""

    def __init__(self, ext: str) -> None:
        self._ext = ext

    def __str__(self) -> str:
        return self._ext

    def __repr__(self) -> str:
        return f"FileExt({self._ext!r})"


# flytekit's predefined format aliases
CSVFile = FlyteFile.with_format("csv")
HDF5EncodedFile = FlyteFile.with_format("hdf5")
HTMLPage = FlyteFile.with_format("html")
JoblibSerializedFile = FlyteFile.with_format("joblib")
JPEGImageFile = FlyteFile.with_format("jpeg")
ONNXFile = FlyteFile.with_format("onnx")
PDFFile = FlyteFile.with_format("pdf")
PNGImageFile = FlyteFile.with_format("png")
PythonNotebook = FlyteFile.with_format("ipynb")
PythonPickledFile = FlyteFile.with_format("python_pickle")
SVGImageFile = FlyteFile.with_format("svg")
TFRecordFile = FlyteFile.with_format("tfrecord")
JSONLFile = FlyteFile.with_format("jsonl")
