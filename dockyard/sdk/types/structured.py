"""StructuredDataset: typed columnar data (pandas or pyarrow) stored as parquet and passed by reference.

pandas and pyarrow are imported only when a frame is written or read, never when dockyard is imported.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dockyard.sdk.data import BlobStore
from dockyard.sdk.types import frame_handlers, transfer
from dockyard.sdk.types.base import Transformer
from dockyard.sdk.types.errors import TypeTransformerFailedError, UnsupportedTypeError, mismatch
from dockyard.sdk.types.literal import Literal, kind_of
from dockyard.sdk.types.pydantic_fields import PydanticField

PARQUET = "parquet"
CSV = "csv"
_FORMATS = (PARQUET, CSV)


class ColumnSpec(collections.OrderedDict[str, Any]):
    """Column names and types from `kwtypes(a=int, b=str)`; hashable so annotated types can be cached."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))


def kwtypes(**kwargs: Any) -> ColumnSpec:
    """Columns for `Annotated[StructuredDataset, kwtypes(a=int, b=str)]` (flytekit's `kwtypes`)."""
    return ColumnSpec(kwargs)


@dataclass
class StructuredDatasetType:
    """The type of a StructuredDataset: its columns (name → Python type) and its storage format."""

    columns: dict[str, Any] = field(default_factory=dict)
    format: str = PARQUET


def flat_columns(columns: dict[str, Any], parent: str = "") -> dict[str, Any]:
    """flytekit's reading of nested columns: a dict or dataclass of sub-columns gives dotted leaf names
    (`info.contacts.tel`), which parquet readers select as nested fields."""
    flat: dict[str, Any] = {}
    for key, value in columns.items():
        name = f"{parent}.{key}" if parent else key
        if dataclasses.is_dataclass(value) and isinstance(value, type):
            value = {f.name: f.type for f in dataclasses.fields(value)}
        if isinstance(value, dict):
            flat.update(flat_columns(value, name))
        else:
            flat[name] = value
    return flat


def is_pandas_frame_type(t: Any) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and t is pd.DataFrame


def is_arrow_table_type(t: Any) -> bool:
    pa = sys.modules.get("pyarrow")
    return pa is not None and t is pa.Table


def _is_frame(value: Any) -> bool:
    return is_pandas_frame_type(type(value)) or is_arrow_table_type(type(value))


class StructuredDataset(PydanticField):
    """A data frame by reference: built from a frame (`dataframe=`) or from stored data (`uri=`).

    Read it with `sd.open(pd.DataFrame).all()` (or `pyarrow.Table`); columns not in the annotation are
    left out when the task's input named a subset. `metadata` and extra keywords are kept for flytekit
    compatibility; the type comes from the annotation.
    """

    def __init__(
        self,
        dataframe: Any = None,
        uri: str | None = None,
        metadata: Any = None,
        file_format: str = PARQUET,
        **kwargs: Any,
    ) -> None:
        self._dataframe = dataframe
        self.uri = uri
        self.metadata = metadata
        self.file_format = file_format
        self._columns: list[str] | None = None
        self._store: BlobStore | None = None
        self._open_as: Any = None
        self._literal_hash: str | None = None

    @property
    def dataframe(self) -> Any:
        """The in-memory frame this dataset was built from (None for one read from a URI)."""
        return self._dataframe

    def open(self, dataframe_type: Any) -> StructuredDataset:
        """Choose the frame type `all()` returns: `pandas.DataFrame` or `pyarrow.Table`."""
        self._open_as = dataframe_type
        return self

    def all(self) -> Any:
        """Read the whole dataset as the type chosen by `open` (pandas by default, or any type a
        registered StructuredDatasetDecoder reads)."""
        decoder = frame_handlers.decoder_for(self._open_as)
        if decoder is not None and self.uri is not None:
            from dockyard.sdk.types.models import StructuredDataset as StoredFrame
            from dockyard.sdk.types.models import StructuredDatasetMetadata

            columns = dict.fromkeys(self._columns or [])
            metadata = StructuredDatasetMetadata(StructuredDatasetType(columns, self.file_format))
            stored = StoredFrame(transfer.materialize(self.uri, self._store), metadata)
            return decoder.decode(frame_handlers.context(), stored, metadata)
        if isinstance(self._open_as, type) and isinstance(self._dataframe, self._open_as):
            return self._dataframe  # still in memory, already of the asked type
        if self._dataframe is not None:
            return _convert(_select(self._dataframe, self._columns), self._open_as)
        if self.uri is None:
            raise TypeTransformerFailedError("StructuredDataset has neither a dataframe nor a uri")
        return read_frame(self.uri, self.file_format, self._columns, self._open_as, self._store)

    def iter(self) -> Any:
        """Yield the dataset in chunks (one chunk: datasets here fit in memory)."""
        yield self.all()

    def __repr__(self) -> str:
        return f"StructuredDataset(uri={self.uri!r}, file_format={self.file_format!r})"


def _select(frame: Any, columns: list[str] | None) -> Any:
    """The frame's columns named (a nested name selects its whole top-level column)."""
    if not columns:
        return frame
    columns = list(dict.fromkeys(c.split(".")[0] for c in columns))
    available = list(frame.columns) if hasattr(frame, "columns") else frame.column_names
    missing = [c for c in columns if c not in available]
    if missing:
        raise TypeTransformerFailedError(f"data frame has no column {missing[0]!r} (has {available})")
    return frame[columns] if is_pandas_frame_type(type(frame)) else frame.select(columns)


def _convert(frame: Any, target: Any) -> Any:
    """Turn a pandas frame or arrow table into `target` (pandas when target is None)."""
    if target is None or is_pandas_frame_type(target) or _is_pandas_name(target):
        return frame if is_pandas_frame_type(type(frame)) else frame.to_pandas()
    if is_arrow_table_type(target) or _is_arrow_name(target):
        import pyarrow as pa

        return frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    raise TypeTransformerFailedError(
        f"cannot open a StructuredDataset as {getattr(target, '__name__', target)}"
    )


def _is_pandas_name(t: Any) -> bool:
    return getattr(t, "__module__", "").startswith("pandas") and getattr(t, "__name__", "") == "DataFrame"


def _is_arrow_name(t: Any) -> bool:
    return getattr(t, "__module__", "").startswith("pyarrow") and getattr(t, "__name__", "") == "Table"


def read_frame(uri: str, fmt: str, columns: list[str] | None, as_type: Any, store: BlobStore | None) -> Any:
    """Read stored data (a file, or a folder of part files) as pandas or arrow, with a column subset."""
    local = transfer.materialize(uri, store)
    if fmt == CSV:
        import pandas as pd

        frame: Any = pd.read_csv(local, usecols=columns or None)
    elif as_type is None or is_pandas_frame_type(as_type) or _is_pandas_name(as_type):
        import pandas as pd

        frame = pd.read_parquet(local, columns=columns or None)  # with the index pandas stored
    else:
        import pyarrow.parquet as pq

        frame = pq.read_table(local, columns=columns or None)
    return _convert(frame, as_type)


def frame_hash(frame: Any) -> str:
    """A content hash of a frame: equal frames (values, column names, dtypes, index) hash equal."""
    digest = hashlib.sha256()
    if is_pandas_frame_type(type(frame)):
        import pandas as pd

        digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
        try:
            digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
        except TypeError:  # unhashable cells (lists, dicts): hash the parquet bytes instead
            digest.update(frame.to_parquet())
    else:
        import pyarrow as pa

        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, frame.schema) as writer:
            writer.write_table(frame)
        digest.update(sink.getvalue().to_pybytes())
    return "sha256:" + digest.hexdigest()


def _write(frame: Any, fmt: str, path: Path) -> None:
    if fmt == CSV:
        _convert(frame, None).to_csv(path, index=False)
        return
    if is_pandas_frame_type(type(frame)):
        frame.to_parquet(path)  # a non-default index is kept, as flytekit's pandas encoder keeps it
        return
    import pyarrow.parquet as pq

    pq.write_table(frame, path)


class StructuredTransformer(Transformer):
    """StructuredDataset, pandas.DataFrame and pyarrow.Table annotations (optionally with columns/format)."""

    def __init__(self, python_type: Any, columns: ColumnSpec | None, fmt: str | None) -> None:
        from dockyard.sdk.types.engine import get_transformer

        self.python_type = python_type
        self.is_dataset = isinstance(python_type, type) and issubclass(python_type, StructuredDataset)
        self.name = getattr(python_type, "__name__", str(python_type))
        flat = flat_columns(columns or {})
        self.columns = list(flat) or None
        self.column_types = {n: get_transformer(t).literal_type() for n, t in flat.items()}
        self.format = fmt or PARQUET
        if self.format not in _FORMATS:
            raise UnsupportedTypeError(f"StructuredDataset format {self.format!r}: use one of {_FORMATS}")

    register = staticmethod(frame_handlers.register)
    register_renderer = staticmethod(frame_handlers.register_renderer)

    def to_literal(self, value: Any) -> Literal:
        if _is_frame(value) or frame_handlers.encoder_for(value) is not None:
            value = StructuredDataset(dataframe=value)
        encoder = frame_handlers.encoder_for(getattr(value, "dataframe", None))
        if encoder is not None:
            sd_type = StructuredDatasetType(dict.fromkeys(self.columns or []), self.format)
            stored = encoder.encode(frame_handlers.context(), value, sd_type)
            stored_type = getattr(stored.metadata, "structured_dataset_type", None)
            fmt = getattr(stored_type, "format", "") or self.format
            uri = stored.uri
            if not transfer.is_remote(uri):  # a local folder or file: into the store, as any output
                uri = transfer.persist(uri, directory=Path(uri.removeprefix("file://")).is_dir())
            return {"structured": {"uri": uri, "format": fmt, "columns": self._column_records()}}
        if not isinstance(value, StructuredDataset):  # a stored dataset may feed a frame input, by reference
            raise mismatch(self.name, type(value).__name__)
        fmt = value.file_format if value.dataframe is None else self.format
        literal: Literal = {"structured": {"uri": "", "format": fmt, "columns": self._column_records()}}
        if value.dataframe is not None:
            frame = _select(value.dataframe, self.columns)
            with tempfile.TemporaryDirectory(prefix="dockyard-sd-") as tmp:
                path = Path(tmp) / f"00000.{fmt}"
                _write(frame, fmt, path)
                literal["structured"]["uri"] = transfer.persist(path, directory=False)
            literal["hash"] = frame_hash(frame)
        elif value.uri is not None:
            uri = value.uri
            if not transfer.is_remote(uri) and transfer.current_store() is not None:  # local path: upload
                uri = transfer.persist(uri, directory=Path(uri).is_dir())
            literal["structured"]["uri"] = uri
            if value._literal_hash:
                literal["hash"] = value._literal_hash
        else:
            raise TypeTransformerFailedError("StructuredDataset has neither a dataframe nor a uri")
        return literal

    def _column_records(self) -> list[dict[str, Any]]:
        return [{"name": n, "type": t} for n, t in self.column_types.items()]

    def to_python(self, literal: Literal) -> Any:
        if "structured" not in literal:
            raise mismatch(self.name, f"{kind_of(literal)} literal")
        body = literal["structured"]
        store = transfer.current_blob_store()
        if self.is_dataset:
            sd = self.python_type(uri=body["uri"], file_format=body.get("format", PARQUET))
            sd._columns = self.columns
            sd._store = store
            sd._literal_hash = literal.get("hash")
            return sd
        return read_frame(body["uri"], body.get("format", PARQUET), self.columns, self.python_type, store)

    def literal_type(self) -> dict[str, Any]:
        return {"structured": {"format": self.format, "columns": self._column_records()}}
