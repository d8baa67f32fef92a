"""The SDK's type system: Python values ⇄ JSON-able literals (docs/literals.md), and cache-key hashing.

Other SDK modules use `TypeEngine`, the literal JSON helpers and `hash_literals`; users see the value types
(FlyteFile, FlyteDirectory, StructuredDataset), `kwtypes` and `HashMethod`, re-exported under `dockyard`.
"""

from __future__ import annotations

from dockyard.sdk.types.base import Transformer, type_name
from dockyard.sdk.types.directory import FlyteDirectory
from dockyard.sdk.types.engine import TypeEngine, check_annotation, get_transformer
from dockyard.sdk.types.errors import PickleFallbackWarning, TypeTransformerFailedError, UnsupportedTypeError
from dockyard.sdk.types.file import FlyteFile
from dockyard.sdk.types.hashing import HashMethod, hash_literals
from dockyard.sdk.types.literal import LITERAL_SCHEMA_VERSION, Literal, literals_from_json, literals_to_json
from dockyard.sdk.types.pickle import FlytePickle
from dockyard.sdk.types.structured import StructuredDataset, StructuredDatasetType, kwtypes
from dockyard.sdk.types.transfer import current_store, use_raw_output_dir, use_store

__all__ = [
    "LITERAL_SCHEMA_VERSION",
    "FlyteDirectory",
    "FlyteFile",
    "FlytePickle",
    "HashMethod",
    "Literal",
    "PickleFallbackWarning",
    "StructuredDataset",
    "StructuredDatasetType",
    "Transformer",
    "TypeEngine",
    "TypeTransformerFailedError",
    "UnsupportedTypeError",
    "check_annotation",
    "current_store",
    "get_transformer",
    "hash_literals",
    "kwtypes",
    "literals_from_json",
    "literals_to_json",
    "type_name",
    "use_raw_output_dir",
    "use_store",
]
