"""flytekit's `flytekit.models.literals`, defined in `dockyard.sdk.types.models`."""

from dockyard.sdk.types.models import (
    Binary,
    Blob,
    BlobMetadata,
    Literal,
    LiteralCollection,
    LiteralMap,
    Primitive,
    Scalar,
    StructuredDataset,
    StructuredDatasetMetadata,
    Void,
)

__all__ = [
    "Binary",
    "Blob",
    "BlobMetadata",
    "Literal",
    "LiteralCollection",
    "LiteralMap",
    "Primitive",
    "Scalar",
    "StructuredDataset",
    "StructuredDatasetMetadata",
    "Void",
]
