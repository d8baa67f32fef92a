"""flytekit's `flytekit.types.error.error`."""

from dockyard.sdk.types.error import FlyteError

__all__ = ["FlyteError"]
