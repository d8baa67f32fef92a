"""The `file://` store: a local folder. Puts write a temporary sibling and rename it, so they are atomic."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

from dockyard.errors import StoreError
from dockyard.runtime.blobstore.base import Store

_TMP_PREFIX = ".dockyard-tmp-"  # half-written puts; never listed


def path_of(uri: str) -> Path:
    """The local path of a `file://` URI (`file:///abs/path`)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        raise StoreError(f"{uri}: not a file:// URI with an absolute path")
    return Path(unquote(parsed.path))


class LocalStore(Store):
    """Blobs as files under a root folder; a URI ending in '/' names every file below it."""

    def __init__(self, url: str) -> None:
        self.root = path_of(url)
        self.url = "file://" + str(self.root)

    def get(self, uri: str, local_path: Path) -> Path:
        src = path_of(uri)
        local_path = Path(local_path)
        try:
            if uri.endswith("/") or src.is_dir():
                if not src.is_dir():
                    raise StoreError(f"{uri}: no such prefix in the store")
                shutil.copytree(src, local_path, dirs_exist_ok=True)
            else:
                local_path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, local_path)
        except FileNotFoundError:
            raise StoreError(f"{uri}: no such blob in the store") from None
        except OSError as exc:
            raise StoreError(f"{uri}: cannot read: {exc.strerror or exc}") from None
        return local_path

    def put(self, local_path: Path, uri: str) -> str:
        local_path = Path(local_path)
        if local_path.is_dir():
            return self._put_folder(local_path, uri)
        dest = path_of(uri)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(
                prefix=f"{_TMP_PREFIX}{dest.name}.", suffix=f".{uuid.uuid4().hex[:8]}", dir=dest.parent
            )
            try:
                # mkstemp makes 0600; a blob gets a plain file's mode, so a task container running as
                # another (non-root) user reads the inputs the driver wrote. The store's folder decides who
                # else may.
                os.fchmod(fd, 0o644)
                with os.fdopen(fd, "wb") as out, open(local_path, "rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, dest)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except FileNotFoundError:
            raise StoreError(f"{local_path}: no such file to upload to {uri}") from None
        except OSError as exc:
            raise StoreError(f"{uri}: cannot write: {exc.strerror or exc}") from None
        return uri

    can_append = True

    def exists(self, uri: str) -> bool:
        return path_of(uri).exists()

    def write_bytes(self, uri: str, data: bytes) -> str:
        """Atomic like `put` (a temporary sibling, fsync, rename) without a temporary folder per write."""
        dest = path_of(uri)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(
                prefix=f"{_TMP_PREFIX}{dest.name}.", suffix=f".{uuid.uuid4().hex[:8]}", dir=dest.parent
            )
            try:
                os.fchmod(fd, 0o644)  # as `put`: a task container running as another user reads it
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, dest)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StoreError(f"{uri}: cannot write: {exc.strerror or exc}") from None
        return uri

    def append_bytes(self, uri: str, data: bytes) -> None:
        """One O_APPEND write: lines of concurrent appenders never interleave within a line, and a reader
        sees whole lines or a torn last one (which the record's reader skips). Not fsynced: it survives
        the writer's death, not the machine's."""
        dest = path_of(uri)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(dest, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
        except OSError as exc:
            raise StoreError(f"{uri}: cannot append: {exc.strerror or exc}") from None

    def delete(self, uri: str) -> None:
        try:
            path_of(uri).unlink(missing_ok=True)
        except OSError as exc:
            raise StoreError(f"{uri}: cannot delete: {exc.strerror or exc}") from None

    def list(self, prefix: str) -> Iterator[str]:
        root = path_of(prefix)
        base = prefix.rstrip("/")
        if root.is_file():
            yield prefix
            return
        if not root.is_dir():
            return
        found = []
        for folder, _, files in os.walk(root):  # scandir's entry types: no stat per file (rglob's is_file)
            rel = Path(folder).relative_to(root)
            found += [rel / name for name in files if not name.startswith(_TMP_PREFIX)]
        for file in sorted(found):
            yield f"{base}/{file.as_posix()}"

    def read_bytes(self, uri: str) -> bytes:
        try:
            return path_of(uri).read_bytes()
        except FileNotFoundError:
            raise StoreError(f"{uri}: no such blob in the store") from None
        except OSError as exc:
            raise StoreError(f"{uri}: cannot read: {exc.strerror or exc}") from None
