"""flytekit's `flytekit.exceptions.eager`."""

from dockyard.sdk.exceptions import EagerException

__all__ = ["EagerException"]
