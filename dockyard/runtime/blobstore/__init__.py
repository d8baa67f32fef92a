"""Blob stores for remote runs: `file://` (a local folder) and `s3://` (boto3), chosen by the URL's scheme."""

from __future__ import annotations

from dockyard.config import Settings, get_settings
from dockyard.errors import StoreError
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.blobstore.local import LocalStore


def open_store(url: str | None = None, settings: Settings | None = None) -> Store:
    """The store for `url` (default: `settings.store.url`); S3 clients are created lazily on first use."""
    settings = settings or get_settings()
    url = url or settings.store.url
    if url.startswith("file://"):
        return LocalStore(url)
    if url.startswith("s3://"):
        from dockyard.runtime.blobstore.s3 import S3Store

        return S3Store(url, endpoint_url=settings.store.s3_endpoint_url)
    raise StoreError(f"store.url {url!r}: unsupported scheme (use file:// or s3://)")


__all__ = ["LocalStore", "Store", "open_store"]
