"""flytekit's `flytekit.types.structured` import path."""

from dockyard.sdk.types.frame_handlers import (
    StructuredDatasetDecoder,
    StructuredDatasetEncoder,
    register_builtin_handlers,
)
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
register_csv_handlers = register_pandas_handlers = register_arrow_handlers = register_builtin_handlers

__all__ = [
    "CSV",
    "PARQUET",
    "StructuredDataset",
    "StructuredDatasetDecoder",
    "StructuredDatasetEncoder",
    "StructuredDatasetFormat",
    "StructuredDatasetTransformerEngine",
    "StructuredDatasetType",
    "kwtypes",
    "register_arrow_handlers",
    "register_csv_handlers",
    "register_pandas_handlers",
]
