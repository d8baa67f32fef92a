"""Where file-like values (files, directories, data frames, large pickles) go when they become literals.

Locally there is no store: a local path stays a local path, copied into a per-execution raw-output folder so
the user's code cannot change an upstream output afterwards. In a remote execution the runtime installs a
blob store with `use_store(store, prefix)`, and every local path is uploaded under `store.url_for(prefix, …)`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from dockyard.sdk.data import BlobStore
from dockyard.sdk.types.errors import TypeTransformerFailedError


@dataclass(frozen=True)
class StoreBinding:
    """The store of the running execution and the prefix its raw outputs go under.

    `prefix` is a full URI in the store (`s3://bucket/exec/raw`) or path parts under the store's root.
    """

    store: BlobStore
    prefix: str

    def url_for(self, *parts: str) -> str:
        """A URI under the raw-output prefix."""
        if is_remote(self.prefix):
            return "/".join([self.prefix.rstrip("/"), *(p.strip("/") for p in parts if p.strip("/"))])
        return self.store.url_for(self.prefix, *parts)


_store: ContextVar[StoreBinding | None] = ContextVar("dockyard_store", default=None)
_raw_dir: ContextVar[Path | None] = ContextVar("dockyard_raw_dir", default=None)
_process_raw_dir: list[Path] = []  # made on first use when no execution set one


@contextmanager
def use_store(store: BlobStore, prefix: str) -> Iterator[StoreBinding]:
    """Make `store` the destination of raw outputs (under `prefix`) and the source of downloads."""
    binding = StoreBinding(store, prefix)
    token = _store.set(binding)
    try:
        yield binding
    finally:
        _store.reset(token)


def current_store() -> StoreBinding | None:
    """The store installed by the runtime, or None in a local execution."""
    return _store.get()


@contextmanager
def use_raw_output_dir(path: Path) -> Iterator[Path]:
    """Make `path` the folder local outputs are copied into (one per local execution)."""
    path = Path(path).resolve()
    path.mkdir(parents=True, exist_ok=True)
    token = _raw_dir.set(path)
    try:
        yield path
    finally:
        _raw_dir.reset(token)


def raw_output_dir() -> Path:
    """The current raw-output folder; a per-process temporary one when no execution installed one."""
    current = _raw_dir.get()
    if current is not None:
        return current
    if not _process_raw_dir:
        _process_raw_dir.append(Path(tempfile.mkdtemp(prefix="dockyard-raw-")).resolve())
    return _process_raw_dir[0]


def new_local_dir() -> Path:
    """A fresh, empty folder under the raw-output folder."""
    path = raw_output_dir() / uuid.uuid4().hex
    path.mkdir(parents=True)
    return path


def is_remote(uri: str) -> bool:
    """True for URIs with a scheme (`s3://…`, `file://…`): they are fetched through a store."""
    return "://" in uri


def local_path_of(uri: str) -> str | None:
    """The local path a URI names without any store: a plain path, or a `file://` URI."""
    if uri.startswith("file://"):
        return uri[len("file://") :]
    return None if is_remote(uri) else uri


def _under(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def persist(local: str | os.PathLike[str], *, directory: bool, remote_path: str | None = None) -> str:
    """Make the literal URI of a local file or folder: upload it to the store, or copy it into the raw dir.

    A path already inside the raw-output folder is kept as is (it is an upstream output passed through, or a
    `new_remote()` folder), so chains of tasks do not copy the same file again and again.
    """
    path = Path(local).absolute()
    if directory and not path.is_dir():
        raise TypeTransformerFailedError(f"directory {path} does not exist")
    if not directory and not path.is_file():
        raise TypeTransformerFailedError(f"file {path} does not exist")
    binding = current_store()
    if binding is not None:
        uri = remote_path or binding.url_for(uuid.uuid4().hex, path.name)
        return binding.store.put(path, uri.rstrip("/") + "/" if directory else uri)
    raw = raw_output_dir()
    if _under(path.resolve(), raw):
        return str(path)
    dest = raw / uuid.uuid4().hex / path.name
    dest.parent.mkdir(parents=True)
    if directory:
        shutil.copytree(path, dest, symlinks=True)
    else:
        shutil.copy2(path, dest)
    return str(dest)


def download_target(uri: str) -> Path:
    """A fresh local path (not yet created) to download `uri` to, keeping its base name."""
    name = uri.rstrip("/").rsplit("/", 1)[-1] or "data"
    return raw_output_dir() / uuid.uuid4().hex / name


def fetch(uri: str, local_path: Path, store: BlobStore | None) -> Path:
    """Bring the blob(s) at `uri` to `local_path` through `store` (the one current when the value arrived)."""
    if store is None:
        raise TypeTransformerFailedError(f"{uri}: no blob store is installed to fetch it from")
    local_path.parent.mkdir(parents=True, exist_ok=True)
    return Path(store.get(uri, local_path))


def materialize(uri: str, store: BlobStore | None) -> str:
    """A local path holding the data at `uri` now: the path itself when local, else a download via `store`."""
    local = local_path_of(uri) if store is None or not is_remote(uri) else None
    if local is not None:
        return local
    return str(fetch(uri, download_target(uri), store))


def current_blob_store() -> BlobStore | None:
    """The store of the current binding, if any."""
    binding = current_store()
    return binding.store if binding else None
