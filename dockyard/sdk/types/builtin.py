"""Transformers for primitives, containers, dataclasses, enums, unions and JSON-like values.

Strict like flytekit 1.16: an int is not a float, a bool is not an int, a list is not a tuple.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import json
import math
import typing
from collections.abc import Callable
from typing import Any

from dockyard.sdk.types.base import Transformer
from dockyard.sdk.types.errors import TypeTransformerFailedError, UnsupportedTypeError, mismatch
from dockyard.sdk.types.literal import Literal, kind_of

_UTC = dt.timezone.utc


def _got(value: Any) -> str:
    return type(value).__name__


def _expect(literal: Literal, key: str, name: str) -> Any:
    """The payload under `key`, or a mismatch naming the literal's kind."""
    try:
        return literal[key]
    except (KeyError, TypeError):
        got = kind_of(literal) if isinstance(literal, dict) else _got(literal)
        raise mismatch(name, f"{got} literal") from None


class IntTransformer(Transformer):
    name = "int"

    def to_literal(self, value: Any) -> Literal:
        if isinstance(value, int) and not isinstance(value, bool):
            return {"int": int(value)}
        raise mismatch("int", _got(value))

    def to_python(self, literal: Literal) -> int:
        return int(_expect(literal, "int", "int"))

    def literal_type(self) -> dict[str, Any]:
        return {"simple": "int"}


class FloatTransformer(Transformer):
    name = "float"

    def to_literal(self, value: Any) -> Literal:
        if isinstance(value, float):
            f = float(value)
            return {"float": f if math.isfinite(f) else repr(f)}
        raise mismatch("float", _got(value))

    def to_python(self, literal: Literal) -> float:
        if "int" in literal:  # an int literal widens, as in flytekit
            return float(literal["int"])
        return float(_expect(literal, "float", "float"))

    def literal_type(self) -> dict[str, Any]:
        return {"simple": "float"}


class StrTransformer(Transformer):
    name = "str"

    def to_literal(self, value: Any) -> Literal:
        if isinstance(value, str):
            return {"str": str(value)}
        raise mismatch("str", _got(value))

    def to_python(self, literal: Literal) -> str:
        return str(_expect(literal, "str", "str"))

    def literal_type(self) -> dict[str, Any]:
        return {"simple": "str"}


class BoolTransformer(Transformer):
    name = "bool"

    def to_literal(self, value: Any) -> Literal:
        if isinstance(value, bool):
            return {"bool": value}
        raise mismatch("bool", _got(value))

    def to_python(self, literal: Literal) -> bool:
        return bool(_expect(literal, "bool", "bool"))

    def literal_type(self) -> dict[str, Any]:
        return {"simple": "bool"}


class BytesTransformer(Transformer):
    name = "bytes"

    def to_literal(self, value: Any) -> Literal:
        if isinstance(value, bytes):
            return {"bytes": base64.b64encode(value).decode("ascii")}
        raise mismatch("bytes", _got(value))

    def to_python(self, literal: Literal) -> bytes:
        return base64.b64decode(_expect(literal, "bytes", "bytes"))

    def literal_type(self) -> dict[str, Any]:
        return {"simple": "bytes"}


class DatetimeTransformer(Transformer):
    """Datetimes travel as UTC ISO strings; a naive one is taken to be UTC (flytekit's protobuf Timestamp)."""

    name = "datetime"

    def to_literal(self, value: Any) -> Literal:
        if isinstance(value, dt.datetime):
            utc = value.replace(tzinfo=_UTC) if value.tzinfo is None else value.astimezone(_UTC)
            return {"datetime": dt.datetime.isoformat(utc)}  # datetime's own form, also for pandas.Timestamp
        raise mismatch("datetime", _got(value))

    def to_python(self, literal: Literal) -> dt.datetime:
        return dt.datetime.fromisoformat(_expect(literal, "datetime", "datetime"))

    def literal_type(self) -> dict[str, Any]:
        return {"simple": "datetime"}


class DateTransformer(Transformer):
    name = "date"

    def to_literal(self, value: Any) -> Literal:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return {"date": value.isoformat()}
        raise mismatch("date", _got(value))

    def to_python(self, literal: Literal) -> dt.date:
        return dt.date.fromisoformat(_expect(literal, "date", "date"))

    def literal_type(self) -> dict[str, Any]:
        return {"simple": "date"}


class TimedeltaTransformer(Transformer):
    """Durations travel as whole microseconds, so they round-trip exactly."""

    name = "timedelta"

    def to_literal(self, value: Any) -> Literal:
        if isinstance(value, dt.timedelta):
            return {"duration": value // dt.timedelta(microseconds=1)}
        raise mismatch("timedelta", _got(value))

    def to_python(self, literal: Literal) -> dt.timedelta:
        return dt.timedelta(microseconds=_expect(literal, "duration", "timedelta"))

    def literal_type(self) -> dict[str, Any]:
        return {"simple": "duration"}


class NoneTransformer(Transformer):
    name = "None"

    def to_literal(self, value: Any) -> Literal:
        if value is None:
            return {"none": None}
        raise mismatch("None", _got(value))

    def to_python(self, literal: Literal) -> None:
        _expect(literal, "none", "None")

    def literal_type(self) -> dict[str, Any]:
        return {"simple": "none"}


class JsonTransformer(Transformer):
    """Bare `dict` and `list` annotations: any JSON value (flytekit's generic dict)."""

    def __init__(self, container: type) -> None:
        self.container = container
        self.name = container.__name__

    def to_literal(self, value: Any) -> Literal:
        if not isinstance(value, self.container):
            raise mismatch(self.name, _got(value))
        try:
            return {"json": json.loads(json.dumps(value, allow_nan=False))}
        except (TypeError, ValueError) as exc:
            raise TypeTransformerFailedError(f"expected a JSON-serialisable {self.name}: {exc}") from None

    def to_python(self, literal: Literal) -> Any:
        value = _expect(literal, "json", self.name)
        if not isinstance(value, self.container):
            raise mismatch(self.name, _got(value))
        return json.loads(json.dumps(value))

    def literal_type(self) -> dict[str, Any]:
        return {"simple": "json"}


def _convert_items(convert: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """Each item converted; the fast comprehension first, and only on failure a second pass to name the
    failing index (`[i]`) in the error."""
    try:
        return [convert(v) for v in items]
    except TypeTransformerFailedError:
        for i, v in enumerate(items):
            try:
                convert(v)
            except TypeTransformerFailedError as exc:
                raise exc.under(f"[{i}]") from None
        raise


class ListTransformer(Transformer):
    def __init__(self, item: Transformer, name: str) -> None:
        self.item = item
        self.name = name

    def to_literal(self, value: Any) -> Literal:
        if not isinstance(value, list):
            raise mismatch(self.name, _got(value))
        return {"list": _convert_items(self.item.to_literal, value)}

    def to_python(self, literal: Literal) -> list[Any]:
        return _convert_items(self.item.to_python, _expect(literal, "list", self.name))

    def literal_type(self) -> dict[str, Any]:
        return {"list": self.item.literal_type()}


class DictTransformer(Transformer):
    def __init__(self, value: Transformer, name: str) -> None:
        self.value = value
        self.name = name

    def to_literal(self, value: Any) -> Literal:
        if not isinstance(value, dict):
            raise mismatch(self.name, _got(value))
        convert = self.value.to_literal
        out: dict[str, Literal] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeTransformerFailedError(f"expected str keys in {self.name}, got {_got(k)} key {k!r}")
            try:
                out[k] = convert(v)
            except TypeTransformerFailedError as exc:
                raise exc.under(f"[{k!r}]") from None
        return {"map": out}

    def to_python(self, literal: Literal) -> dict[str, Any]:
        items = _expect(literal, "map", self.name)
        convert = self.value.to_python
        out: dict[str, Any] = {}
        for k, v in items.items():
            try:
                out[k] = convert(v)
            except TypeTransformerFailedError as exc:
                raise exc.under(f"[{k!r}]") from None
        return out

    def literal_type(self) -> dict[str, Any]:
        return {"map": self.value.literal_type()}


class KeyedDictTransformer(Transformer):
    """`dict[K, V]` with keys that are not strings (`dict[int, str]`, as flytekit carries in dataclasses):
    `{"dict": [[key literal, value literal], ...]}` in insertion order."""

    def __init__(self, key: Transformer, value: Transformer, name: str) -> None:
        self.key, self.value, self.name = key, value, name

    def to_literal(self, value: Any) -> Literal:
        if not isinstance(value, dict):
            raise mismatch(self.name, _got(value))
        pairs = []
        for k, v in value.items():
            try:
                pairs.append([self.key.to_literal(k), self.value.to_literal(v)])
            except TypeTransformerFailedError as exc:
                raise exc.under(f"[{k!r}]") from None
        return {"dict": pairs}

    def to_python(self, literal: Literal) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for k, v in _expect(literal, "dict", self.name):
            key = self.key.to_python(k)
            try:
                out[key] = self.value.to_python(v)
            except TypeTransformerFailedError as exc:
                raise exc.under(f"[{key!r}]") from None
        return out

    def literal_type(self) -> dict[str, Any]:
        return {"dict": {"key": self.key.literal_type(), "value": self.value.literal_type()}}


class OptionalTransformer(Transformer):
    """`Optional[T]`: None, or T's own literal (no wrapper, so `T` and `Optional[T]` literals interchange)."""

    def __init__(self, inner: Transformer) -> None:
        self.inner = inner
        self.name = f"Optional[{inner.name}]"

    def to_literal(self, value: Any) -> Literal:
        if value is None:
            return {"none": None}
        try:
            return self.inner.to_literal(value)
        except TypeTransformerFailedError as exc:
            if exc.path:
                raise
            raise mismatch(self.name, _got(value)) from None

    def to_python(self, literal: Literal) -> Any:
        if "none" in literal:
            return None
        return self.inner.to_python(literal)

    def literal_type(self) -> dict[str, Any]:
        return {"union": [self.inner.literal_type(), {"simple": "none"}]}


class UnionTransformer(Transformer):
    """`Union[A, B, …]`: the first variant that accepts the value wins; its name tags the literal."""

    def __init__(self, variants: list[Transformer], name: str) -> None:
        self.variants = variants
        self.by_tag = {v.name: v for v in variants}
        self.name = name

    def to_literal(self, value: Any) -> Literal:
        if value is None and "None" in self.by_tag:
            return {"none": None}
        for variant in self.variants:
            try:
                literal = variant.to_literal(value)
            except TypeTransformerFailedError:
                continue
            return {"union": {"tag": variant.name, "value": literal}}
        raise mismatch(self.name, _got(value))

    def to_python(self, literal: Literal) -> Any:
        if "none" in literal and "None" in self.by_tag:
            return None
        body = _expect(literal, "union", self.name)
        variant = self.by_tag.get(body.get("tag"))
        if variant is not None:
            return variant.to_python(body["value"])
        for candidate in self.variants:
            try:
                return candidate.to_python(body["value"])
            except TypeTransformerFailedError:
                continue
        raise mismatch(self.name, f"{body.get('tag')} literal")

    def literal_type(self) -> dict[str, Any]:
        return {"union": [v.literal_type() for v in self.variants]}


class EnumTransformer(Transformer):
    """String-valued enums; the member or its string value is accepted, the member comes back."""

    def __init__(self, cls: type[enum.Enum]) -> None:
        bad = [m.name for m in cls if not isinstance(m.value, str)]
        if bad:  # flytekit's error and first line; refused where the enum is first used as a type
            raise TypeTransformerFailedError(
                f"Only EnumTypes with value of string are supported\n  enum {cls.__name__}: member {bad[0]} "
                "is not string-valued"
            )
        self.cls = cls
        self.name = cls.__name__
        self.by_value = {m.value: m for m in cls}

    def to_literal(self, value: Any) -> Literal:
        if isinstance(value, self.cls):
            return {"enum": value.value}
        if isinstance(value, str):
            if value in self.by_value:
                return {"enum": value}
            raise TypeTransformerFailedError(
                f"expected one of {self.name}'s values {list(self.by_value)}, got {value!r}"
            )
        raise mismatch(self.name, _got(value))

    def to_python(self, literal: Literal) -> enum.Enum:
        value = literal.get("enum", literal.get("str"))
        try:
            return self.by_value[value]
        except (KeyError, TypeError):
            raise TypeTransformerFailedError(
                f"expected one of {self.name}'s values {list(self.by_value)}, got {value!r}"
            ) from None

    def literal_type(self) -> dict[str, Any]:
        return {"enum": {"name": self.name, "values": list(self.by_value)}}


class DataclassTransformer(Transformer):
    """Dataclasses as records of field literals; missing fields take their defaults on the way back.

    Field transformers are resolved on first use so self-referencing dataclasses do not recurse forever.
    """

    def __init__(self, cls: type, resolve: Callable[[Any], Transformer]) -> None:
        self.cls = cls
        self.name = cls.__name__
        self._resolve = resolve
        self._fields: dict[str, tuple[Transformer, dataclasses.Field[Any]]] | None = None
        self._describing = False
        self.hints = _hints(cls)

    @property
    def fields(self) -> dict[str, tuple[Transformer, dataclasses.Field[Any]]]:
        if self._fields is None:
            fields = {}
            for f in dataclasses.fields(self.cls):
                if not f.init:
                    continue
                try:
                    fields[f.name] = (self._resolve(self.hints[f.name]), f)
                except UnsupportedTypeError as exc:
                    raise UnsupportedTypeError(f"{self.name}.{f.name}: {exc}") from None
            self._fields = fields
        return self._fields

    def to_literal(self, value: Any) -> Literal:
        fields = self.fields
        if isinstance(value, self.cls):
            get: Callable[[str], Any] = lambda name: getattr(value, name)  # noqa: E731
        elif isinstance(value, dict):
            unknown = sorted(set(value) - set(fields))
            if unknown:
                raise TypeTransformerFailedError(f"{self.name} has no field {unknown[0]!r}")
            get = lambda name: value[name] if name in value else _default(fields[name][1], self.name)  # noqa: E731
        else:
            raise mismatch(self.name, _got(value))
        out: dict[str, Literal] = {}
        for name, (transformer, _) in fields.items():
            try:
                out[name] = transformer.to_literal(get(name))
            except TypeTransformerFailedError as exc:
                raise exc.under(f".{name}") from None
        return {"record": out}

    def to_python(self, literal: Literal) -> Any:
        record = _expect(literal, "record", self.name)
        fields = self.fields
        kwargs: dict[str, Any] = {}
        for name, sub in record.items():
            if name not in fields:
                raise TypeTransformerFailedError(f"{self.name} has no field {name!r}")
            try:
                kwargs[name] = fields[name][0].to_python(sub)
            except TypeTransformerFailedError as exc:
                raise exc.under(f".{name}") from None
        return self.cls(**kwargs)

    def literal_type(self) -> dict[str, Any]:
        if self._describing:  # a self-referencing dataclass: refer to it by name
            return {"record": {"name": self.name}}
        self._describing = True
        try:
            fields = {name: t.literal_type() for name, (t, _) in self.fields.items()}
        finally:
            self._describing = False
        return {"record": {"name": self.name, "fields": fields}}


def _default(field: dataclasses.Field[Any], owner: str) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    raise TypeTransformerFailedError(f"{owner} is missing field {field.name!r}")


def _hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls, include_extras=True)
    except Exception as exc:  # NameError for unresolvable forward references, and friends
        raise UnsupportedTypeError(f"{cls.__name__}: cannot resolve field annotations: {exc}") from None


class PydanticTransformer(Transformer):
    """pydantic models travel as their JSON dump and are validated on the way back."""

    def __init__(self, cls: Any) -> None:
        self.cls = cls
        self.name = cls.__name__

    def to_literal(self, value: Any) -> Literal:
        if isinstance(value, dict):
            value = self._validate(value)
        if not isinstance(value, self.cls):
            raise mismatch(self.name, _got(value))
        return {"json": value.model_dump(mode="json")}

    def to_python(self, literal: Literal) -> Any:
        return self._validate(_expect(literal, "json", self.name))

    def _validate(self, data: Any) -> Any:
        from pydantic import ValidationError

        try:
            return self.cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = "".join(f".{p}" if isinstance(p, str) else f"[{p}]" for p in first["loc"])
            raise TypeTransformerFailedError(f"{self.name}: {first['msg']}", where) from None

    def literal_type(self) -> dict[str, Any]:
        return {"model": {"name": self.name, "schema": self.cls.model_json_schema()}}


class LiteralValuesTransformer(Transformer):
    """`typing.Literal["a", "b"]`: one of the listed strings, carried as a `str` literal."""

    def __init__(self, values: tuple[Any, ...]) -> None:
        if not all(isinstance(v, str) for v in values):
            raise UnsupportedTypeError(f"Literal{list(values)}: only string values are supported")
        self.values = list(values)
        self.name = f"Literal{self.values}"

    def to_literal(self, value: Any) -> Literal:
        if isinstance(value, str) and value in self.values:
            return {"str": value}
        raise TypeTransformerFailedError(f"expected one of {self.values}, got {value!r}")

    def to_python(self, literal: Literal) -> str:
        value = _expect(literal, "str", self.name)
        if value not in self.values:
            raise TypeTransformerFailedError(f"expected one of {self.values}, got {value!r}")
        return str(value)

    def literal_type(self) -> dict[str, Any]:
        return {"enum": {"name": "Literal", "values": self.values}}
