"""flytekit's `flytekit.types.structured.structured_dataset` import path."""

from dockyard.types.structured import (
    CSV,
    PARQUET,
    StructuredDataset,
    StructuredDatasetDecoder,
    StructuredDatasetEncoder,
    StructuredDatasetTransformerEngine,
    StructuredDatasetType,
)

__all__ = [
    "CSV",
    "PARQUET",
    "StructuredDataset",
    "StructuredDatasetDecoder",
    "StructuredDatasetEncoder",
    "StructuredDatasetTransformerEngine",
    "StructuredDatasetType",
]
