"""flytekit's `flytekit.types.file` import path."""

from dockyard.sdk.types.blob import BlobTransformer as FlyteFilePathTransformer
from dockyard.sdk.types.file import (
    CSVFile,
    FlyteFile,
    HDF5EncodedFile,
    HTMLPage,
    JoblibSerializedFile,
    JPEGImageFile,
    ONNXFile,
    PDFFile,
    PNGImageFile,
    PythonNotebook,
    PythonPickledFile,
    SVGImageFile,
)

__all__ = [
    "CSVFile",
    "FlyteFile",
    "FlyteFilePathTransformer",
    "HDF5EncodedFile",
    "HTMLPage",
    "JPEGImageFile",
    "JoblibSerializedFile",
    "ONNXFile",
    "PDFFile",
    "PNGImageFile",
    "PythonNotebook",
    "PythonPickledFile",
    "SVGImageFile",
]
