"""flytekit's `flytekit.core.type_engine`."""

from dockyard.sdk.types import TypeEngine, TypeTransformerFailedError
from dockyard.sdk.types.batch import BatchSize
from dockyard.sdk.types.custom import AsyncTypeTransformer, SimpleTransformer, TypeTransformer

__all__ = [
    "AsyncTypeTransformer",
    "BatchSize",
    "SimpleTransformer",
    "TypeEngine",
    "TypeTransformer",
    "TypeTransformerFailedError",
]
