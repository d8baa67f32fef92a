"""flytekit's `flytekit.types.pickle.pickle` import path."""

from dockyard.types.pickle import FlytePickle

__all__ = ["FlytePickle"]
