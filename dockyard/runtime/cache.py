"""The remote cache catalog: task outputs stored by cache key in the blob store.

The key is the local cache's key (`dockyard.sdk.cache.cache_key`: task name, cache_version, interface and
the hash of the input literals), so a value cached by one remote run is found by every later one that
shares the store.
"""

from __future__ import annotations

import hashlib
from typing import Any

from dockyard.runtime.blobstore.base import Store

CATALOG_SCHEMA_VERSION = 1


class StoreCatalog:
    """The walker's `Catalog`: output literals by cache key, one JSON document per key under `cache/`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def uri(self, key: str) -> str:
        return self.store.url_for("cache", hashlib.sha256(key.encode()).hexdigest() + ".json")

    def get(self, key: str) -> dict[str, Any] | None:
        uri = self.uri(key)
        if not self.store.exists(uri):
            return None
        doc = self.store.read_json(uri)
        if doc.get("schema_version") != CATALOG_SCHEMA_VERSION or doc.get("key") != key:
            return None
        outputs: dict[str, Any] = doc["outputs"]
        return outputs

    def put(self, key: str, task_name: str, outputs: dict[str, Any]) -> None:
        doc = {"schema_version": CATALOG_SCHEMA_VERSION, "key": key, "task": task_name, "outputs": outputs}
        self.store.write_json(self.uri(key), doc)
