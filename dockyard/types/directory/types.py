"""flytekit's `flytekit.types.directory.types` import path."""

from dockyard.types.directory import FlyteDirectory, FlyteDirToMultipartBlobTransformer

__all__ = ["FlyteDirToMultipartBlobTransformer", "FlyteDirectory"]
