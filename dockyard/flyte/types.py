"""Python types and dockyard literals in FlyteIDL's form: `LiteralType`s and `Literal`s as flytekit 1.16
writes them.

Types are read from dockyard's transformers (the one type engine), so the FlyteIDL type of an annotation is
the one dockyard already checks values against. Dataclasses and generic dicts travel as msgpack (flytekit's
`Binary` with tag `msgpack`), encoded by mashumaro exactly as flytekit encodes them; their JSON schema is
mashumaro's too. This module imports flyteidl, so only serializing and executing under propeller load it.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from flyteidl.core import literals_pb2 as L
from flyteidl.core import types_pb2 as T
from google.protobuf import json_format, struct_pb2

from dockyard.errors import ConfigError
from dockyard.sdk.types import builtin
from dockyard.sdk.types.blob import MULTIPART, BlobTransformer
from dockyard.sdk.types.engine import get_transformer
from dockyard.sdk.types.hashing import HashedTransformer
from dockyard.sdk.types.literal import Literal
from dockyard.sdk.types.pickle import PickleTransformer
from dockyard.sdk.types.structured import PARQUET, StructuredTransformer

MSGPACK = "msgpack"
_MSGPACK_ANNOTATION = {"cache-key-metadata": {"serialization-format": MSGPACK}}
_SIMPLE = {
    "int": T.INTEGER,
    "float": T.FLOAT,
    "str": T.STRING,
    "bool": T.BOOLEAN,
    "datetime": T.DATETIME,
    "date": T.DATETIME,
    "duration": T.DURATION,
    "none": T.NONE,
}
# flytekit's transformer names, which tag union variants
_TAGS: dict[Any, str] = {
    builtin.IntTransformer: "int",
    builtin.FloatTransformer: "float",
    builtin.StrTransformer: "str",
    builtin.BoolTransformer: "bool",
    builtin.NoneTransformer: "none",
    builtin.DatetimeTransformer: "datetime",
    builtin.DateTransformer: "date",
    builtin.TimedeltaTransformer: "timedelta",
    builtin.ListTransformer: "Typed List",
    builtin.DictTransformer: "Typed Dict",
    builtin.JsonTransformer: "Typed Dict",
    builtin.EnumTransformer: "DefaultEnumTransformer",
    builtin.DataclassTransformer: "Object-Dataclass-Transformer",
    builtin.LiteralValuesTransformer: "LiteralTypeTransformer",
    builtin.OptionalTransformer: "Typed Union",
    builtin.UnionTransformer: "Typed Union",
    StructuredTransformer: "StructuredDataset Transformer",
}


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(value)
    return s


def _tag(transformer: Any) -> str:
    if isinstance(transformer, BlobTransformer):
        return "FlyteDirectory" if transformer.directory else "FlyteFilePath"
    tag = _TAGS.get(type(transformer))
    return tag if tag is not None else str(getattr(transformer, "name", ""))


def literal_type(python_type: Any) -> T.LiteralType:
    """The FlyteIDL type of an annotation, as flytekit 1.16 declares it in interfaces."""
    return _type_of(get_transformer(python_type))


def _type_of(tr: Any) -> T.LiteralType:
    if isinstance(tr, HashedTransformer):
        return _type_of(tr.inner)
    if isinstance(tr, builtin.LiteralValuesTransformer):
        return T.LiteralType(
            simple=T.STRING, annotation=T.TypeAnnotation(annotations=_struct({"literal_values": tr.values}))
        )
    if isinstance(tr, builtin.JsonTransformer):
        return T.LiteralType(
            simple=T.STRUCT, annotation=T.TypeAnnotation(annotations=_struct(_MSGPACK_ANNOTATION))
        )
    if isinstance(tr, builtin.ListTransformer):
        return T.LiteralType(collection_type=_type_of(tr.item))
    if isinstance(tr, builtin.DictTransformer):
        return T.LiteralType(map_value_type=_type_of(tr.value))
    if isinstance(tr, builtin.OptionalTransformer | builtin.UnionTransformer):
        variants = (
            [tr.inner, get_transformer(None)] if isinstance(tr, builtin.OptionalTransformer) else tr.variants
        )
        return T.LiteralType(union_type=T.UnionType(variants=[_tagged(v) for v in variants]))
    if isinstance(tr, builtin.EnumTransformer):
        return T.LiteralType(enum_type=T.EnumType(values=list(tr.by_value)))
    if isinstance(tr, builtin.DataclassTransformer):
        return _dataclass_type(tr)
    if isinstance(tr, BlobTransformer):
        dim = T.BlobType.MULTIPART if tr.dimensionality == MULTIPART else T.BlobType.SINGLE
        return T.LiteralType(blob=T.BlobType(format=tr.format, dimensionality=dim))
    if isinstance(tr, StructuredTransformer):
        columns = [
            T.StructuredDatasetType.DatasetColumn(name=n, literal_type=_from_doc_type(t))
            for n, t in tr.column_types.items()
        ]
        fmt = "" if tr.format == PARQUET else tr.format  # flytekit leaves the default format unsaid
        return T.LiteralType(structured_dataset_type=T.StructuredDatasetType(columns=columns, format=fmt))
    if isinstance(tr, PickleTransformer | builtin.BytesTransformer):
        python_class = bytes if isinstance(tr, builtin.BytesTransformer) else tr.python_type
        lt = T.LiteralType(blob=T.BlobType(format="PythonPickle", dimensionality=T.BlobType.SINGLE))
        lt.metadata.update({"python_class_name": str(python_class)})
        return lt
    simple = tr.literal_type().get("simple")
    if simple in _SIMPLE:
        return T.LiteralType(simple=_SIMPLE[simple])
    raise ConfigError(f"type {tr.name}: no FlyteIDL form (flytekit cannot carry it either)")


def _from_doc_type(doc: dict[str, Any]) -> T.LiteralType:
    """A column's type, from dockyard's type descriptor (columns hold primitives and their lists/maps)."""
    if "list" in doc:
        return T.LiteralType(collection_type=_from_doc_type(doc["list"]))
    if "map" in doc:
        return T.LiteralType(map_value_type=_from_doc_type(doc["map"]))
    if doc.get("simple") in _SIMPLE:
        return T.LiteralType(simple=_SIMPLE[doc["simple"]])
    raise ConfigError(f"data frame column type {doc}: no FlyteIDL form")


def _tagged(tr: Any) -> T.LiteralType:
    lt = _type_of(tr)
    lt.structure.CopyFrom(T.TypeStructure(tag=_tag(tr)))
    return lt


def _dataclass_type(tr: builtin.DataclassTransformer) -> T.LiteralType:
    from mashumaro.jsonschema import build_json_schema

    lt = T.LiteralType(simple=T.STRUCT, annotation=T.TypeAnnotation(annotations=_struct(_MSGPACK_ANNOTATION)))
    lt.metadata.update(build_json_schema(tr.cls).to_dict())
    for name, (field_tr, _) in tr.fields.items():
        lt.structure.dataclass_type[name].CopyFrom(_type_of(field_tr))
    lt.structure.tag = ""
    return lt


# ---- values ------------------------------------------------------------------------------------------------


def _msgpack(value: Any, python_type: Any) -> L.Literal:
    from mashumaro.codecs.msgpack import MessagePackEncoder

    data = MessagePackEncoder(python_type).encode(value)
    return L.Literal(scalar=L.Scalar(binary=L.Binary(value=data, tag=MSGPACK)))


def _primitive(**kw: Any) -> L.Literal:
    return L.Literal(scalar=L.Scalar(primitive=L.Primitive(**kw)))


def to_flyte(literal: Literal, python_type: Any, *, binding: bool = False) -> L.Literal:
    """A dockyard literal of `python_type` as flytekit would have written the same value.

    A None bound to an optional input is wrapped in its union variant, as flytekit's bindings have it
    (a launch plan's default None is not).
    """
    tr = get_transformer(python_type)
    if (
        binding
        and "none" in literal
        and isinstance(tr, builtin.OptionalTransformer | builtin.UnionTransformer)
    ):
        return _union(L.Literal(scalar=L.Scalar(none_type=L.Void())), get_transformer(None))
    return _to_flyte(literal, tr, python_type)


def _to_flyte(lit: Literal, tr: Any, python_type: Any) -> L.Literal:
    if isinstance(tr, HashedTransformer):
        out = _to_flyte(lit, tr.inner, python_type)
        if "hash" in lit:
            out.hash = lit["hash"]
        return out
    if "none" in lit:
        return L.Literal(scalar=L.Scalar(none_type=L.Void()))
    if isinstance(tr, builtin.OptionalTransformer):
        return _union(_to_flyte(lit, tr.inner, None), tr.inner)
    if isinstance(tr, builtin.UnionTransformer):
        variant = tr.by_tag[lit["union"]["tag"]]
        return _union(_to_flyte(lit["union"]["value"], variant, None), variant)
    if isinstance(tr, builtin.DataclassTransformer | builtin.JsonTransformer):
        cls = tr.cls if isinstance(tr, builtin.DataclassTransformer) else tr.container
        return _msgpack(tr.to_python(lit), cls)
    if isinstance(tr, builtin.ListTransformer):
        return L.Literal(
            collection=L.LiteralCollection(literals=[_to_flyte(i, tr.item, None) for i in lit["list"]])
        )
    if isinstance(tr, builtin.DictTransformer):
        return L.Literal(
            map=L.LiteralMap(literals={k: _to_flyte(v, tr.value, None) for k, v in lit["map"].items()})
        )
    if isinstance(tr, BlobTransformer):
        blob = lit["blob"]
        return L.Literal(
            scalar=L.Scalar(blob=L.Blob(uri=blob["uri"], metadata=L.BlobMetadata(type=_type_of(tr).blob)))
        )
    if isinstance(tr, StructuredTransformer):
        sd = lit["structured"]
        sd_type = _type_of(tr).structured_dataset_type
        sd_type.format = sd["format"]
        out = L.Literal(
            scalar=L.Scalar(
                structured_dataset=L.StructuredDataset(
                    uri=sd["uri"], metadata=L.StructuredDatasetMetadata(structured_dataset_type=sd_type)
                )
            )
        )
        if "hash" in lit:
            out.hash = lit["hash"]
        return out
    return _scalar(lit)


def _union(value: L.Literal, variant: Any) -> L.Literal:
    return L.Literal(scalar=L.Scalar(union=L.Union(value=value, type=_tagged(variant))))


def _scalar(lit: Literal) -> L.Literal:
    if "int" in lit:
        return _primitive(integer=lit["int"])
    if "float" in lit:
        value = lit["float"]
        return _primitive(float_value=float(value))
    if "str" in lit:
        return _primitive(string_value=lit["str"])
    if "enum" in lit:
        return _primitive(string_value=lit["enum"])
    if "bool" in lit:
        return _primitive(boolean=lit["bool"])
    if "datetime" in lit:
        p = L.Primitive()
        p.datetime.FromDatetime(
            dt.datetime.fromisoformat(lit["datetime"]).astimezone(dt.timezone.utc).replace(tzinfo=None)
        )
        return L.Literal(scalar=L.Scalar(primitive=p))
    if "date" in lit:
        p = L.Primitive()
        p.datetime.FromDatetime(dt.datetime.combine(dt.date.fromisoformat(lit["date"]), dt.time()))
        return L.Literal(scalar=L.Scalar(primitive=p))
    if "duration" in lit:
        p = L.Primitive()
        p.duration.FromMicroseconds(lit["duration"])
        return L.Literal(scalar=L.Scalar(primitive=p))
    raise ConfigError(f"literal {sorted(lit)}: no FlyteIDL form")


def from_flyte(value: L.Literal, python_type: Any) -> Literal:
    """A FlyteIDL literal (as flytekit writes it) as the dockyard literal of `python_type`."""
    return _from_flyte(value, get_transformer(python_type))


def _from_flyte(v: L.Literal, tr: Any) -> Literal:
    if isinstance(tr, HashedTransformer):
        out = _from_flyte(v, tr.inner)
        if v.hash:
            out["hash"] = v.hash
        return out
    kind = v.WhichOneof("value")
    scalar_kind = v.scalar.WhichOneof("value") if kind == "scalar" else None
    if scalar_kind == "none_type":
        return {"none": None}
    if scalar_kind == "union":
        v = v.scalar.union.value
        if v.scalar.WhichOneof("value") == "none_type":
            return {"none": None}
    if isinstance(tr, builtin.OptionalTransformer):
        return _from_flyte(v, tr.inner)
    if isinstance(tr, builtin.UnionTransformer):
        for variant in tr.variants:
            try:
                inner = _from_flyte(v, variant)
                variant.to_python(inner)
            except Exception:  # the variant that reads the value back is the one that wrote it
                continue
            return {"union": {"tag": variant.name, "value": inner}}
        raise ConfigError(f"literal {kind}: fits no variant of {tr.name}")
    if isinstance(tr, builtin.DataclassTransformer | builtin.JsonTransformer):
        from mashumaro.codecs.msgpack import MessagePackDecoder

        cls = tr.cls if isinstance(tr, builtin.DataclassTransformer) else tr.container
        if v.scalar.WhichOneof("value") == "binary":
            py: Any = MessagePackDecoder(cls).decode(v.scalar.binary.value)
        else:  # flytekit before msgpack: a protobuf Struct of the JSON form
            py = MessagePackDecoder(cls).decode(_repack(json_format.MessageToDict(v.scalar.generic)))
        return tr.to_literal(py)
    if isinstance(tr, builtin.ListTransformer):
        return {"list": [_from_flyte(i, tr.item) for i in v.collection.literals]}
    if isinstance(tr, builtin.DictTransformer):
        return {"map": {k: _from_flyte(i, tr.value) for k, i in v.map.literals.items()}}
    if isinstance(tr, BlobTransformer):
        blob = v.scalar.blob
        return {
            "blob": {
                "uri": blob.uri,
                "format": blob.metadata.type.format,
                "dimensionality": tr.dimensionality,
            }
        }
    if isinstance(tr, StructuredTransformer):
        sd = v.scalar.structured_dataset
        uri = sd.uri
        if not uri.rsplit("/", 1)[-1].count("."):  # flytekit writes a folder of part files
            uri = uri.rstrip("/") + "/"
        frame: Literal = {
            "structured": {
                "uri": uri,
                "format": sd.metadata.structured_dataset_type.format or "parquet",
                "columns": tr.literal_type()["structured"]["columns"],
            }
        }
        if v.hash:
            frame["hash"] = v.hash
        return frame
    p = v.scalar.primitive
    which = p.WhichOneof("value")
    if isinstance(tr, builtin.EnumTransformer):
        return {"enum": p.string_value}
    if isinstance(tr, builtin.DateTransformer):
        return {"date": p.datetime.ToDatetime().date().isoformat()}
    if isinstance(tr, builtin.DatetimeTransformer):
        return {"datetime": p.datetime.ToDatetime(tzinfo=dt.timezone.utc).isoformat()}
    if isinstance(tr, builtin.TimedeltaTransformer):
        return {"duration": p.duration.ToMicroseconds()}
    if isinstance(tr, builtin.FloatTransformer):
        f = p.float_value if which == "float_value" else float(p.integer)
        return {"float": f if math.isfinite(f) else repr(f)}
    key = {"integer": "int", "string_value": "str", "boolean": "bool"}.get(which or "")
    if key is None:
        raise ConfigError(f"literal {kind}/{scalar_kind}/{which}: not readable as {tr.name}")
    return {key: getattr(p, which or "")}


def _repack(data: Any) -> bytes:
    import msgpack

    return bytes(msgpack.packb(data))


def literal_map(literals: dict[str, Literal], types: dict[str, Any]) -> L.LiteralMap:
    """Named dockyard literals as a FlyteIDL LiteralMap (inputs.pb / outputs.pb)."""
    return L.LiteralMap(literals={k: to_flyte(v, types[k]) for k, v in literals.items()})


def from_literal_map(lm: L.LiteralMap, types: dict[str, Any]) -> dict[str, Literal]:
    """A LiteralMap as named dockyard literals; a name the interface lacks is an error naming it."""
    unknown = sorted(set(lm.literals) - set(types))
    if unknown:
        raise ConfigError(f"inputs.pb: '{unknown[0]}' is not an input of the task")
    return {k: from_flyte(v, types[k]) for k, v in lm.literals.items()}
