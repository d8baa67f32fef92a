"""flytekit's literal and type models (`flytekit.models.literals` / `types`), for user-written transformers.

A custom `TypeTransformer` builds `Literal(scalar=Scalar(primitive=Primitive(integer=3)))` and reads
`lv.scalar.primitive.integer`; `to_literal_dict` / `from_literal_dict` translate these objects to and from
dockyard's JSON literals (docs/literals.md), so a custom type travels like any other value.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from dockyard.sdk.types import builtin
from dockyard.sdk.types.errors import TypeTransformerFailedError
from dockyard.sdk.types.literal import Literal as LiteralDict


class SimpleType(enum.IntEnum):
    NONE = 0
    INTEGER = 1
    FLOAT = 2
    STRING = 3
    BOOLEAN = 4
    DATETIME = 5
    DURATION = 6
    BINARY = 7
    ERROR = 8
    STRUCT = 9


_SIMPLE_NAMES = {
    SimpleType.NONE: "none",
    SimpleType.INTEGER: "int",
    SimpleType.FLOAT: "float",
    SimpleType.STRING: "str",
    SimpleType.BOOLEAN: "bool",
    SimpleType.DATETIME: "datetime",
    SimpleType.DURATION: "duration",
    SimpleType.BINARY: "bytes",
    SimpleType.ERROR: "error",
    SimpleType.STRUCT: "json",
}


class BlobDimensionality(enum.IntEnum):
    SINGLE = 0
    MULTIPART = 1


@dataclass(frozen=True)
class BlobType:
    format: str
    dimensionality: BlobDimensionality = BlobDimensionality.SINGLE

    BlobDimensionality = BlobDimensionality


@dataclass(frozen=True)
class LiteralType:
    simple: SimpleType | None = None
    blob: BlobType | None = None
    collection_type: LiteralType | None = None
    map_value_type: LiteralType | None = None
    metadata: Any = None

    def to_dict(self) -> dict[str, Any]:
        """dockyard's type descriptor of this type."""
        if self.blob is not None:
            dims = "multipart" if self.blob.dimensionality == BlobDimensionality.MULTIPART else "single"
            return {"blob": {"format": self.blob.format, "dimensionality": dims}}
        if self.collection_type is not None:
            return {"list": self.collection_type.to_dict()}
        if self.map_value_type is not None:
            return {"map": self.map_value_type.to_dict()}
        return {"simple": _SIMPLE_NAMES[SimpleType(self.simple or 0)]}


@dataclass
class Primitive:
    integer: int | None = None
    float_value: float | None = None
    string_value: str | None = None
    boolean: bool | None = None
    datetime: Any = None
    duration: Any = None

    @property
    def value(self) -> Any:
        for v in (
            self.integer,
            self.float_value,
            self.string_value,
            self.boolean,
            self.datetime,
            self.duration,
        ):
            if v is not None:
                return v
        return None


@dataclass
class BlobMetadata:
    type: BlobType


@dataclass
class Blob:
    metadata: BlobMetadata
    uri: str


@dataclass
class Binary:
    value: bytes
    tag: str = ""


@dataclass
class Void:
    pass


@dataclass
class Scalar:
    primitive: Primitive | None = None
    blob: Blob | None = None
    binary: Binary | None = None
    none_type: Void | None = None
    generic: Any = None
    error: Any = None

    @property
    def value(self) -> Any:
        for v in (self.primitive, self.blob, self.binary, self.none_type, self.generic, self.error):
            if v is not None:
                return v
        return None


@dataclass
class LiteralCollection:
    literals: list[Literal] = field(default_factory=list)


@dataclass
class LiteralMap:
    literals: dict[str, Literal] = field(default_factory=dict)


@dataclass
class Literal:
    scalar: Scalar | None = None
    collection: LiteralCollection | None = None
    map: LiteralMap | None = None
    hash: str | None = None
    metadata: dict[str, str] | None = None

    @property
    def value(self) -> Any:
        return self.scalar or self.collection or self.map


def _primitive_dict(p: Primitive) -> LiteralDict:
    if p.integer is not None:
        return {"int": p.integer}
    if p.float_value is not None:
        return builtin.FloatTransformer().to_literal(float(p.float_value))
    if p.string_value is not None:
        return {"str": p.string_value}
    if p.boolean is not None:
        return {"bool": p.boolean}
    if p.datetime is not None:
        return builtin.DatetimeTransformer().to_literal(p.datetime)
    if p.duration is not None:
        return builtin.TimedeltaTransformer().to_literal(p.duration)
    raise TypeTransformerFailedError("Primitive: no value set")


def to_literal_dict(lit: Literal) -> LiteralDict:
    """A model literal as dockyard's JSON literal."""
    if lit.collection is not None:
        return {"list": [to_literal_dict(x) for x in lit.collection.literals]}
    if lit.map is not None:
        return {"map": {k: to_literal_dict(v) for k, v in lit.map.literals.items()}}
    s = lit.scalar
    if s is None:
        raise TypeTransformerFailedError("Literal: give a scalar, a collection or a map")
    if s.primitive is not None:
        return _primitive_dict(s.primitive)
    if s.blob is not None:
        dims = s.blob.metadata.type.dimensionality
        kind = "multipart" if dims == BlobDimensionality.MULTIPART else "single"
        return {"blob": {"uri": s.blob.uri, "format": s.blob.metadata.type.format, "dimensionality": kind}}
    if s.binary is not None:
        return builtin.BytesTransformer().to_literal(s.binary.value)
    if s.generic is not None:
        return {"json": dict(s.generic)}
    return {"none": None}


def from_literal_dict(lit: LiteralDict) -> Literal:
    """dockyard's JSON literal as a model literal."""
    if "list" in lit:
        return Literal(collection=LiteralCollection([from_literal_dict(x) for x in lit["list"]]))
    if "map" in lit:
        return Literal(map=LiteralMap({k: from_literal_dict(v) for k, v in lit["map"].items()}))
    if "blob" in lit:
        blob = lit["blob"]
        dims = (
            BlobDimensionality.MULTIPART
            if blob["dimensionality"] == "multipart"
            else BlobDimensionality.SINGLE
        )
        return Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType(blob["format"], dims)), blob["uri"])))
    simple: dict[str, tuple[str, Any]] = {
        "int": ("integer", builtin.IntTransformer()),
        "float": ("float_value", builtin.FloatTransformer()),
        "str": ("string_value", builtin.StrTransformer()),
        "bool": ("boolean", builtin.BoolTransformer()),
        "datetime": ("datetime", builtin.DatetimeTransformer()),
        "duration": ("duration", builtin.TimedeltaTransformer()),
    }
    for kind, (attr, transformer) in simple.items():
        if kind in lit:
            return Literal(scalar=Scalar(primitive=Primitive(**{attr: transformer.to_python(lit)})))
    if "bytes" in lit:
        return Literal(scalar=Scalar(binary=Binary(builtin.BytesTransformer().to_python(lit))))
    if "json" in lit:
        return Literal(scalar=Scalar(generic=lit["json"]))
    return Literal(scalar=Scalar(none_type=Void()))


@dataclass
class StructuredDatasetMetadata:
    """What a stored data frame is: its StructuredDatasetType (columns and format)."""

    structured_dataset_type: Any = None


@dataclass
class StructuredDataset:
    """flytekit's literal of a stored data frame, what a user's StructuredDatasetEncoder returns."""

    uri: str
    metadata: StructuredDatasetMetadata | None = None
