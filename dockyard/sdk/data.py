"""The blob store interface the SDK's types use to move files; implementations live in `dockyard.runtime`.

Locally no store is needed (files stay local paths). Inside a remote execution the runtime installs a
store in the execution context, and FlyteFile/FlyteDirectory/StructuredDataset upload and download through it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol


class BlobStore(Protocol):
    """A store of immutable blobs addressed by URI (`file:///…` or `s3://bucket/key`)."""

    def get(self, uri: str, local_path: Path) -> Path:
        """Download a blob (or every blob under a prefix ending in '/') to `local_path`."""
        ...

    def put(self, local_path: Path, uri: str) -> str:
        """Upload atomically: readers see the whole blob or nothing. Directories go up file by file."""
        ...

    def exists(self, uri: str) -> bool: ...

    def list(self, prefix: str) -> Iterator[str]: ...

    def url_for(self, *parts: str) -> str:
        """A URI under the store's root, built from path parts."""
        ...
