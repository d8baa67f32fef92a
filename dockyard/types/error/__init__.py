"""flytekit's `flytekit.types.error`: what an `on_failure` handler receives."""

from dockyard.sdk.types.error import FlyteError

__all__ = ["FlyteError"]
