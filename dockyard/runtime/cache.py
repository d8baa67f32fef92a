"""The remote cache catalog: task outputs stored by cache key in the blob store.

The key is the local cache's key (task name, cache_version, interface and the hash of the input
literals), so a value cached by one remote run is found by every later one that shares the store.
"""

from __future__ import annotations

import hashlib

from dockyard.runtime.blobstore.base import Store

CATALOG_SCHEMA_VERSION = 1


class StoreCatalog:
    """`get`/`put` output literals by cache key, as one JSON document per key under `cache/`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def uri(self, key: str) -> str:
        return self.store.url_for("cache", hashlib.sha256(key.encode()).hexdigest() + ".json")

    def get(self, key: str) -> dict[str, dict[str, object]] | None:
        uri = self.uri(key)
        if not self.store.exists(uri):
            return None
        doc = self.store.read_json(uri)
        if doc.get("schema_version") != CATALOG_SCHEMA_VERSION or doc.get("key") != key:
            return None
        outputs: dict[str, dict[str, object]] = doc["outputs"]
        return outputs

    def put(self, key: str, outputs: dict[str, dict[str, object]]) -> None:
        self.store.write_json(
            self.uri(key), {"schema_version": CATALOG_SCHEMA_VERSION, "key": key, "outputs": outputs}
        )
