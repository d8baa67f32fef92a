"""The type engine: finds (and caches) the transformer for an annotation and converts values through it."""

from __future__ import annotations

import collections.abc
import dataclasses
import datetime as dt
import enum
import inspect
import pathlib
import sys
import types
import typing
import warnings
from typing import Any

from dockyard.sdk.types import builtin, iterator
from dockyard.sdk.types.base import Transformer, type_name
from dockyard.sdk.types.blob import BlobTransformer, PathTransformer
from dockyard.sdk.types.directory import FlyteDirectory
from dockyard.sdk.types.errors import PickleFallbackWarning, TypeTransformerFailedError, UnsupportedTypeError
from dockyard.sdk.types.file import FlyteFile
from dockyard.sdk.types.hashing import HashedTransformer, HashMethod
from dockyard.sdk.types.literal import Literal, castable
from dockyard.sdk.types.numpy import NumpyTransformer, is_ndarray_type
from dockyard.sdk.types.pickle import PickleTransformer, is_pickle_annotation
from dockyard.sdk.types.structured import (
    ColumnSpec,
    StructuredDataset,
    StructuredTransformer,
    is_arrow_table_type,
    is_pandas_frame_type,
)

_SIMPLE: dict[Any, Transformer] = {
    int: builtin.IntTransformer(),
    float: builtin.FloatTransformer(),
    str: builtin.StrTransformer(),
    bool: builtin.BoolTransformer(),
    bytes: builtin.BytesTransformer(),
    dt.datetime: builtin.DatetimeTransformer(),
    dt.date: builtin.DateTransformer(),
    dt.timedelta: builtin.TimedeltaTransformer(),
    type(None): builtin.NoneTransformer(),
    None: builtin.NoneTransformer(),
}
_CACHE: dict[Any, Transformer] = dict(_SIMPLE)


def get_transformer(python_type: Any) -> Transformer:
    """The transformer for an annotation, built once per (hashable) type."""
    try:
        return _CACHE[python_type]
    except KeyError:
        transformer = _CACHE[python_type] = _build(python_type)
        return transformer
    except TypeError:  # unhashable annotation metadata: build it every time
        return _build(python_type)


def _build(t: Any) -> Transformer:
    if t is inspect.Parameter.empty:
        raise UnsupportedTypeError("missing type annotation")
    if isinstance(t, (str, typing.ForwardRef)):
        raise UnsupportedTypeError(f"unresolved forward reference {t!r}")
    if isinstance(t, typing.TypeVar):
        raise UnsupportedTypeError(f"type variable {t} is not a concrete type")
    origin = typing.get_origin(t)
    args = typing.get_args(t)
    if origin is typing.Annotated:
        return _annotated(args[0], t.__metadata__)
    if t == iterator.JSON:
        return iterator.JSONTransformer()
    if origin is collections.abc.Iterator and len(args) == 1:
        return iterator.IteratorTransformer(get_transformer(args[0]), type_name(t))
    if origin in (typing.Union, types.UnionType):
        return _union(t, args)
    if origin is typing.Literal:
        return builtin.LiteralValuesTransformer(args)
    if t in (list, dict) or (origin in (list, dict) and not args):  # bare list/dict, typing.List/Dict
        return builtin.JsonTransformer(origin or t)
    if origin is list:
        if len(args) != 1:
            raise UnsupportedTypeError(f"{type_name(t)}: list takes one item type")
        return builtin.ListTransformer(get_transformer(args[0]), type_name(t))
    if origin is dict:
        if len(args) != 2:
            raise UnsupportedTypeError(f"{type_name(t)}: dict takes a key and a value type")
        if args[0] is str:
            return builtin.DictTransformer(get_transformer(args[1]), type_name(t))
        return builtin.KeyedDictTransformer(get_transformer(args[0]), get_transformer(args[1]), type_name(t))
    if is_pickle_annotation(t):
        return PickleTransformer(t)
    if isinstance(t, type):
        return _class(t)
    raise UnsupportedTypeError(f"{t!r} is not a type")


_REGISTERED: dict[Any, Transformer] = {}  # user transformers (TypeEngine.register), by type


def _class(t: type) -> Transformer:
    for base in t.__mro__:
        if base in _REGISTERED:
            return _REGISTERED[base]
    if issubclass(t, (FlyteFile, FlyteDirectory)):
        return BlobTransformer(t)
    if issubclass(t, pathlib.PurePath):
        return PathTransformer(t)
    if issubclass(t, StructuredDataset) or is_pandas_frame_type(t) or is_arrow_table_type(t):
        return StructuredTransformer(t, None, None)
    if is_ndarray_type(t):
        return NumpyTransformer()
    if issubclass(t, enum.Enum):
        return builtin.EnumTransformer(t)
    if dataclasses.is_dataclass(t):
        return builtin.DataclassTransformer(t, get_transformer)
    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and issubclass(t, pydantic.BaseModel):
        return builtin.PydanticTransformer(t)
    warnings.warn(
        f"{type_name(t)} has no transformer: it travels as a pickle (only between identical environments)",
        PickleFallbackWarning,
        stacklevel=4,
    )
    return PickleTransformer(t)


def _annotated(inner: Any, metadata: tuple[Any, ...]) -> Transformer:
    columns = next((m for m in metadata if isinstance(m, (ColumnSpec, dict))), None)
    if columns is None:  # flytekit also takes a dataclass whose fields are the columns
        columns = next((_fields_of(m) for m in metadata if dataclasses.is_dataclass(m)), None)
    fmt = next((m for m in metadata if isinstance(m, str)), None)
    if columns is not None or fmt is not None:
        if not (inner is StructuredDataset or is_pandas_frame_type(inner) or is_arrow_table_type(inner)):
            transformer = get_transformer(inner)
        else:
            transformer = StructuredTransformer(inner, ColumnSpec(columns or {}), fmt)
    else:
        transformer = get_transformer(inner)
    method = next((m for m in metadata if isinstance(m, HashMethod)), None)
    return HashedTransformer(transformer, method) if method is not None else transformer


def _fields_of(cls: Any) -> dict[str, Any]:
    return {f.name: f.type for f in dataclasses.fields(cls)}


def _union(t: Any, args: tuple[Any, ...]) -> Transformer:
    rest = [a for a in args if a is not type(None)]
    if len(rest) == 1 and len(args) == 2:
        return builtin.OptionalTransformer(get_transformer(rest[0]))
    return builtin.UnionTransformer([get_transformer(a) for a in args], type_name(t))


def check_annotation(python_type: Any) -> None:
    """Raise `UnsupportedTypeError` (with the reason) if `python_type` values cannot cross a task boundary."""
    get_transformer(python_type).literal_type()  # resolves (and so checks) every nested type


def _is_flyte_context(value: Any) -> bool:
    return type(value).__name__ == "FlyteContext" and hasattr(value, "file_access")


class TypeEngine:
    """Python values ⇄ literals; the one entry point the SDK uses for every task input and output."""

    @staticmethod
    def to_literal(*args: Any, path: str = "") -> Literal:
        """`to_literal(value, python_type)`, or flytekit's `to_literal(ctx, value, python_type, expected)`."""
        value, python_type = args[1:3] if _is_flyte_context(args[0]) else args[:2]
        try:
            return get_transformer(python_type).to_literal(value)
        except TypeTransformerFailedError as exc:
            raise (exc.under(path) if path else exc) from None

    @staticmethod
    def to_python_value(ctx: Any, literal: Literal, expected_python_type: Any) -> Any:
        """flytekit's spelling of `to_python` (the context is not needed)."""
        return TypeEngine.to_python(literal, expected_python_type)

    @staticmethod
    def to_literal_type(python_type: Any) -> dict[str, Any]:
        """flytekit's spelling of `literal_type`."""
        return TypeEngine.literal_type(python_type)

    @staticmethod
    def to_python(literal: Literal, python_type: Any, *, path: str = "") -> Any:
        try:
            return get_transformer(python_type).to_python(literal)
        except TypeTransformerFailedError as exc:
            raise (exc.under(path) if path else exc) from None

    @staticmethod
    def literal_type(python_type: Any) -> dict[str, Any]:
        return get_transformer(python_type).literal_type()

    @staticmethod
    def is_castable(src_type: Any, dst_type: Any) -> bool:
        """Can an output of `src_type` feed an input of `dst_type`? (`FlyteFile[csv]` → `FlyteFile` can.)"""
        return castable(TypeEngine.literal_type(src_type), TypeEngine.literal_type(dst_type))

    @staticmethod
    def get_transformer(python_type: Any) -> Transformer:
        return get_transformer(python_type)

    @staticmethod
    def register(transformer: Any, additional_types: list[Any] | None = None) -> None:
        """Use a user-written `TypeTransformer` for its type, its subclasses and `additional_types`."""
        from dockyard.sdk.types.custom import UserTransformer

        for t in [transformer.python_type, *(additional_types or [])]:
            _REGISTERED[t] = _CACHE[t] = UserTransformer(transformer, t)
