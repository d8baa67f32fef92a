"""flytekit's `flytekit.types.directory` import path."""

from dockyard.sdk.types.blob import BlobTransformer as FlyteDirToMultipartBlobTransformer
from dockyard.sdk.types.directory import FlyteDirectory

__all__ = ["FlyteDirToMultipartBlobTransformer", "FlyteDirectory"]
