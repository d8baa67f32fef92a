"""flytekit's `flytekit.types.pickle` import path."""

from dockyard.sdk.types.pickle import FlytePickle

__all__ = ["FlytePickle"]
