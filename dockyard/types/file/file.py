"""flytekit's `flytekit.types.file.file` import path."""

from dockyard.types.file import FlyteFile, FlyteFilePathTransformer

__all__ = ["FlyteFile", "FlyteFilePathTransformer"]
