"""flytekit's `flytekit.core.utils`."""

from dockyard.sdk.utils import str2bool, timeit

__all__ = ["str2bool", "timeit"]
