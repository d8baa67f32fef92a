"""flytekit's `flytekit.exceptions.base`."""

from dockyard.sdk.exceptions import FlyteBaseRecoverableException as FlyteRecoverableException
from dockyard.sdk.exceptions import FlyteException

__all__ = ["FlyteException", "FlyteRecoverableException"]
