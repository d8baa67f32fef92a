"""flytekit's `flytekit.types.structured` import path."""

from dockyard.sdk.types.structured import (
    CSV,
    PARQUET,
    StructuredDataset,
    StructuredDatasetType,
    StructuredTransformer,
    kwtypes,
)

StructuredDatasetTransformerEngine = StructuredTransformer

__all__ = [
    "CSV",
    "PARQUET",
    "StructuredDataset",
    "StructuredDatasetTransformerEngine",
    "StructuredDatasetType",
    "kwtypes",
]
