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
StructuredDatasetFormat = str  # flytekit's name for a format string ("parquet", "csv")

__all__ = [
    "CSV",
    "PARQUET",
    "StructuredDataset",
    "StructuredDatasetFormat",
    "StructuredDatasetTransformerEngine",
    "StructuredDatasetType",
    "kwtypes",
]
