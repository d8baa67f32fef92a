"""flytekit's `flytekit.core.type_engine`."""

from dockyard.sdk.types import TypeEngine, TypeTransformerFailedError

__all__ = ["TypeEngine", "TypeTransformerFailedError"]
