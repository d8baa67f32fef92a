"""What the runtime needs from a store beyond `dockyard.sdk.data.BlobStore`: small documents."""

from __future__ import annotations

import json
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class Store(ABC):
    """Common base of the file:// and s3:// stores; satisfies the SDK's `BlobStore` protocol."""

    url: str
    can_append = False  # whether `append_bytes` exists (the execution record's event log uses it)

    @abstractmethod
    def get(self, uri: str, local_path: Path) -> Path: ...

    @abstractmethod
    def put(self, local_path: Path, uri: str) -> str: ...

    @abstractmethod
    def exists(self, uri: str) -> bool: ...

    @abstractmethod
    def list(self, prefix: str) -> Iterator[str]: ...

    @abstractmethod
    def read_bytes(self, uri: str) -> bytes: ...

    @abstractmethod
    def delete(self, uri: str) -> None:
        """Remove one blob; one already gone is fine."""

    def append_bytes(self, uri: str, data: bytes) -> None:
        """Add `data` at the end of a blob (created if missing), on stores with `can_append`."""
        raise NotImplementedError(f"{type(self).__name__} cannot append")

    def _put_folder(self, folder: Path, uri: str) -> str:
        """Upload every file under `folder` below `uri`, in a stable order; returns the prefix ending '/'."""
        base = uri.rstrip("/")
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            self.put(file, f"{base}/{file.relative_to(folder).as_posix()}")
        return base + "/"

    def url_for(self, *parts: str) -> str:
        """A URI under the store's root, built from path parts."""
        cleaned = [p.strip("/") for p in parts if p.strip("/")]
        return "/".join([self.url.rstrip("/"), *cleaned])

    def write_bytes(self, uri: str, data: bytes) -> str:
        """Write a small blob atomically (through `put`, so both stores share one atomic path)."""
        with tempfile.TemporaryDirectory(prefix="dockyard-put-") as tmp:
            path = Path(tmp) / "blob"
            path.write_bytes(data)
            return self.put(path, uri)

    def read_json(self, uri: str) -> Any:
        return json.loads(self.read_bytes(uri))

    def write_json(self, uri: str, doc: Any) -> str:
        return self.write_bytes(uri, json.dumps(doc, indent=1, sort_keys=True).encode())
