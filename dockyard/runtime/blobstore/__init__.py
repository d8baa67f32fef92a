"""Blob stores for remote runs: `file://` (a local folder) and `s3://` (boto3), chosen by the URL's scheme."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dockyard.errors import StoreError
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.blobstore.local import LocalStore

if TYPE_CHECKING:
    from dockyard.config import Settings


def _settings(settings: Settings | None) -> Settings:
    """The settings, read only when needed: a task container given a `file://` URL never loads them
    (building the settings model is a large part of `dockyard-execute`'s start-up)."""
    if settings is not None:
        return settings
    from dockyard.config import get_settings

    return get_settings()


def open_store(url: str | None = None, settings: Settings | None = None) -> Store:
    """The store for `url` (default: `settings.store.url`); S3 clients are created lazily on first use."""
    url = url or _settings(settings).store.url
    if url.startswith("file://"):
        return LocalStore(url)
    if url.startswith("s3://"):
        from dockyard.runtime.blobstore.s3 import S3Store

        return S3Store(url, endpoint_url=_settings(settings).store.s3_endpoint_url)
    raise StoreError(f"store.url {url!r}: unsupported scheme (use file:// or s3://)")


__all__ = ["LocalStore", "Store", "open_store"]
