"""flytekit's import paths for the types work after replacing `flytekit` with `dockyard`."""

from __future__ import annotations

import importlib

import pytest

import dockyard.sdk.types as sdk_types


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("dockyard.types.file", "FlyteFile"),
        ("dockyard.types.file.file", "FlyteFile"),
        ("dockyard.types.directory", "FlyteDirectory"),
        ("dockyard.types.directory.types", "FlyteDirectory"),
        ("dockyard.types.structured", "StructuredDataset"),
        ("dockyard.types.structured.structured_dataset", "StructuredDataset"),
        ("dockyard.types.structured", "StructuredDatasetType"),
        ("dockyard.types.pickle", "FlytePickle"),
        ("dockyard.types.pickle.pickle", "FlytePickle"),
        ("dockyard", "kwtypes"),
        ("dockyard", "HashMethod"),
        ("dockyard", "FlyteFile"),
    ],
)
def test_flytekit_import_paths(module: str, name: str) -> None:
    assert getattr(importlib.import_module(module), name) is getattr(sdk_types, name)


def test_predefined_file_formats() -> None:
    from dockyard.types.file import CSVFile, ONNXFile, PNGImageFile

    assert (CSVFile.extension(), ONNXFile.extension(), PNGImageFile.extension()) == ("csv", "onnx", "png")
    assert issubclass(CSVFile, sdk_types.FlyteFile)
