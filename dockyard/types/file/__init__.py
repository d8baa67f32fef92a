"""flytekit's `flytekit.types.file` import path."""

from dockyard.sdk.types.blob import BlobTransformer as FlyteFilePathTransformer
from dockyard.sdk.types.file import (
    CSVFile,
    FileExt,
    FlyteFile,
    HDF5EncodedFile,
    HTMLPage,
    JoblibSerializedFile,
    JPEGImageFile,
    JSONLFile,
    ONNXFile,
    PDFFile,
    PNGImageFile,
    PythonNotebook,
    PythonPickledFile,
    SVGImageFile,
    TFRecordFile,
)

__all__ = [
    "CSVFile",
    "FileExt",
    "FlyteFile",
    "FlyteFilePathTransformer",
    "HDF5EncodedFile",
    "HTMLPage",
    "JPEGImageFile",
    "JSONLFile",
    "JoblibSerializedFile",
    "ONNXFile",
    "PDFFile",
    "PNGImageFile",
    "PythonNotebook",
    "PythonPickledFile",
    "SVGImageFile",
    "TFRecordFile",
]
