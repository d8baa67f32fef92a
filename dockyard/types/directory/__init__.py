"""flytekit's `flytekit.types.directory` import path."""

from dockyard.sdk.types.blob import BlobTransformer as FlyteDirToMultipartBlobTransformer
from dockyard.sdk.types.directory import FlyteDirectory, TensorboardLogs, TFRecordsDirectory

__all__ = ["FlyteDirToMultipartBlobTransformer", "FlyteDirectory", "TFRecordsDirectory", "TensorboardLogs"]
