"""flytekit's `flytekit.types.schema` (deprecated there; kept for older examples)."""

from dockyard.sdk.types.schema import FlyteSchema

__all__ = ["FlyteSchema"]
