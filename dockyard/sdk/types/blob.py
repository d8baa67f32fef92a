"""FlyteFile and FlyteDirectory values become `{"blob": {uri, format, dimensionality}}`.

Local paths are persisted (copied or uploaded) by `transfer`; stored blobs pass through untouched.
"""

from __future__ import annotations

import os
from typing import Any

from dockyard.sdk.types import transfer
from dockyard.sdk.types.base import Transformer
from dockyard.sdk.types.directory import FlyteDirectory
from dockyard.sdk.types.errors import mismatch
from dockyard.sdk.types.file import FlyteFile
from dockyard.sdk.types.literal import Literal, kind_of

SINGLE = "single"
MULTIPART = "multipart"


class BlobTransformer(Transformer):
    def __init__(self, cls: type[FlyteFile] | type[FlyteDirectory]) -> None:
        self.cls = cls
        self.name = cls.__name__
        self.directory = issubclass(cls, FlyteDirectory)
        self.dimensionality = MULTIPART if self.directory else SINGLE
        self.format = cls.extension()

    def to_literal(self, value: Any) -> Literal:
        base = FlyteDirectory if self.directory else FlyteFile
        if isinstance(value, (str, os.PathLike)) and not isinstance(value, (FlyteFile, FlyteDirectory)):
            value = base(os.fspath(value))
        if not isinstance(value, base):
            raise mismatch(self.name, type(value).__name__)
        fmt = self.format or type(value).extension()
        return {"blob": {"uri": self._uri(value), "format": fmt, "dimensionality": self.dimensionality}}

    def _uri(self, value: FlyteFile | FlyteDirectory) -> str:
        if value.remote_source is not None:  # passed through unchanged: keep the stored blob
            return value.remote_source
        remote = value.remote_directory if isinstance(value, FlyteDirectory) else value.remote_path
        if remote is False:  # the user asked for no upload: the path itself is the reference
            return value.path
        return transfer.persist(
            value.path, directory=self.directory, remote_path=remote if isinstance(remote, str) else None
        )

    def to_python(self, literal: Literal) -> Any:
        if "blob" not in literal:
            raise mismatch(self.name, f"{kind_of(literal)} literal")
        blob = literal["blob"]
        if blob.get("dimensionality", SINGLE) != self.dimensionality:
            raise mismatch(self.name, "file" if self.directory else "directory")
        return self.cls(blob["uri"])  # a remote URI becomes the source of a lazy download (_split_uri)

    def literal_type(self) -> dict[str, Any]:
        return {"blob": {"format": self.format, "dimensionality": self.dimensionality}}


class PathTransformer(BlobTransformer):
    """`pathlib.Path` annotations, as in flytekit: a single file, handed over as a downloaded local path."""

    def __init__(self, path_type: type) -> None:
        super().__init__(FlyteFile)
        self.path_type = path_type
        self.name = path_type.__name__

    def to_python(self, literal: Literal) -> Any:
        return self.path_type(super().to_python(literal).download())
