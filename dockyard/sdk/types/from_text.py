"""Typed values from text: what a command-line option, a schedule's input or a form field gives as a string.

The type system owns the reading of each type, so the CLI only maps its options onto `from_text`: JSON (or a
.json / .yaml file) for dataclasses, lists and dicts; paths or URIs for files, directories and datasets
(local paths must exist); enum values or names; ISO datetimes; durations (`1h30m`, `90s`, `PT1H30M`);
parquet or CSV files for data frames.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import re
import types
import typing
from pathlib import Path
from typing import Any

from dockyard.errors import DockyardError
from dockyard.sdk.types.base import type_name


class TextValueError(DockyardError, ValueError):
    """A value given as text does not parse as its type; the message names where (`--x[2]: ...`)."""

    exit_code = 2


_DURATION_UNITS = {"w": 604800.0, "d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*(ms|us|w|d|h|m|s)")
_ISO_DURATION = re.compile(
    r"(?P<sign>[-+]?)P(?=[\dT])(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?",
    re.IGNORECASE,
)


def parse_duration(text: str) -> dt.timedelta:
    """`1h30m`, `90s`, `1.5h`, `01:30:00`, ISO 8601 `PT1H30M` / `P1DT2H`, or bare seconds."""
    raw = text.strip()
    iso = _ISO_DURATION.fullmatch(raw)
    if iso:
        parts = {k: float(v) for k, v in iso.groupdict().items() if k != "sign" and v}
        delta = dt.timedelta(
            weeks=parts.get("w", 0), days=parts.get("d", 0), hours=parts.get("h", 0),
            minutes=parts.get("m", 0), seconds=parts.get("s", 0),
        )  # fmt: skip
        return -delta if iso.group("sign") == "-" else delta
    if re.fullmatch(r"\d+:\d{1,2}(:\d{1,2}(\.\d+)?)?", raw):
        pieces = [float(p) for p in raw.split(":")]
        hours, minutes, seconds = [*pieces, 0.0][:3]
        return dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
    try:
        return dt.timedelta(seconds=float(raw))
    except ValueError:
        pass
    compact = raw.replace(" ", "")
    matches = list(_DURATION_PART.finditer(compact))
    if not matches or "".join(m.group(0) for m in matches) != compact:
        raise ValueError(f"{text!r} is not a duration (e.g. 1h30m, 90s, PT1H)")
    return dt.timedelta(seconds=sum(float(m.group(1)) * _DURATION_UNITS[m.group(2)] for m in matches))


def parse_datetime(text: str) -> dt.datetime:
    """ISO 8601 (`2024-05-01`, `2024-05-01T02:00:00+00:00`, a trailing `Z`), or `now` / `today`."""
    raw = text.strip()
    if raw.lower() == "now":
        return dt.datetime.now(dt.timezone.utc)
    if raw.lower() == "today":
        return dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    return dt.datetime.fromisoformat(raw)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "1", "yes", "y", "on"}:
        return True
    if isinstance(value, str) and value.strip().lower() in {"false", "0", "no", "n", "off"}:
        return False
    raise ValueError(f"{value!r} is not a boolean (true/false)")


def blob_kind(tp: Any) -> str | None:
    """'file', 'directory' or 'dataset' for the SDK's blob types (format-hinted ones included)."""
    from dockyard.sdk.types.directory import FlyteDirectory
    from dockyard.sdk.types.file import FlyteFile
    from dockyard.sdk.types.structured import StructuredDataset

    base = typing.get_origin(tp) or tp
    if not isinstance(base, type):
        return None
    if issubclass(base, FlyteDirectory):  # before FlyteFile: a directory is not a file
        return "directory"
    if issubclass(base, FlyteFile):
        return "file"
    if issubclass(base, StructuredDataset):
        return "dataset"
    return None


def _path_value(kind: str, raw: str, tp: Any) -> Any:
    """Local paths must exist (a typo fails here, not inside the task); remote URIs pass through."""
    if "://" not in raw:
        path = Path(raw).expanduser()
        if kind == "directory" and not path.is_dir():
            raise ValueError(f"{raw!r} is not a directory")
        if kind != "directory" and not path.exists():
            raise ValueError(f"{raw!r} does not exist")
        raw = str(path.resolve())
    cls = typing.get_origin(tp) or tp
    if kind == "dataset":
        return cls(uri=raw)
    return tp(raw)


def _from_json_text(raw: Any, tp: Any) -> Any:
    """JSON text on the command line, or the path of a .json / .yaml file holding it."""
    if not isinstance(raw, str):
        return raw
    text = raw
    if raw.endswith((".json", ".yaml", ".yml")) and Path(raw).is_file():
        text = Path(raw).read_text()
        if raw.endswith((".yaml", ".yml")):
            import yaml

            return yaml.safe_load(text)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"expected JSON for {type_name(tp)}: {exc.msg} at column {exc.colno}") from None


def from_text(value: Any, tp: Any, where: str = "value") -> Any:
    """Turn a string (or a JSON value inside one) into a Python value of type `tp`.

    Errors name the path inside the value: `--config.learning_rate: expected float, got 'fast'`.
    """
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return from_text(value, args[0], where)
    if tp is typing.Any or tp is object:
        return _from_json_text(value, tp) if isinstance(value, str) and value[:1] in "[{" else value
    if origin in (typing.Union, types.UnionType):
        is_none = value is None or (isinstance(value, str) and value.strip().lower() in {"none", "null"})
        if is_none and type(None) in args:
            return None
        errors = []
        for option in (a for a in args if a is not type(None)):
            try:
                return from_text(value, option, where)
            except TextValueError as exc:
                errors.append(str(exc))
        raise TextValueError(
            errors[0] if len(errors) == 1 else f"{where}: no type of {type_name(tp)} fits {value!r}"
        )
    try:
        return _coerce_plain(value, tp, origin, args, where)
    except (ValueError, TypeError) as exc:
        if isinstance(exc, TextValueError):
            raise
        raise TextValueError(f"{where}: {exc}") from None


def _coerce_plain(value: Any, tp: Any, origin: Any, args: tuple[Any, ...], where: str) -> Any:
    kind = blob_kind(tp)
    if kind is not None:
        if not isinstance(value, str):
            raise ValueError(f"expected a path or URI for {type_name(tp)}, got {value!r}")
        return _path_value(kind, value, tp)
    if tp is bool:
        return _bool(value)
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and re.fullmatch(r"[-+]?\d+", value.strip()):
            return int(value)
        raise ValueError(f"expected int, got {value!r}")
    if tp is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValueError(f"expected float, got {value!r}") from None
    if tp is str:
        if not isinstance(value, str):
            raise ValueError(f"expected str, got {value!r}")
        return value
    if tp is bytes:
        if not isinstance(value, str):
            raise ValueError(f"expected bytes as text, got {value!r}")
        return value.encode()
    if tp is dt.datetime:
        return value if isinstance(value, dt.datetime) else parse_datetime(str(value))
    if tp is dt.date:
        return dt.date.fromisoformat(str(value))
    if tp is dt.timedelta:
        return parse_duration(str(value))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        for member in tp:
            if value in (member.value, member.name) or str(member.value) == str(value):
                return member
        allowed = ", ".join(str(m.value) for m in tp)
        raise ValueError(f"{value!r} is not one of {allowed}")
    if origin in (list, typing.List, tuple) or tp in (list, tuple):  # noqa: UP006
        items = _from_json_text(value, tp)
        if not isinstance(items, list):
            raise ValueError(f"expected a JSON list for {type_name(tp)}, got {type(items).__name__}")
        item_type = args[0] if args else typing.Any
        return [from_text(item, item_type, f"{where}[{i}]") for i, item in enumerate(items)]
    if origin in (dict, typing.Dict) or tp is dict:  # noqa: UP006
        mapping = _from_json_text(value, tp)
        if not isinstance(mapping, dict):
            raise ValueError(f"expected a JSON object for {type_name(tp)}, got {type(mapping).__name__}")
        value_type = args[1] if len(args) == 2 else typing.Any
        return {k: from_text(v, value_type, f"{where}[{k!r}]") for k, v in mapping.items()}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _dataclass(value, tp, where)
    if _is_dataframe(tp):
        return _dataframe(value)
    raise ValueError(f"values of type {type_name(tp)} cannot be given on the command line")


def _dataclass(value: Any, tp: type, where: str) -> Any:
    fields_in = _from_json_text(value, tp)
    if not isinstance(fields_in, dict):
        raise ValueError(f"expected a JSON object for {tp.__name__}, got {type(fields_in).__name__}")
    hints = typing.get_type_hints(tp, include_extras=True)
    known = {f.name for f in dataclasses.fields(tp) if f.init}
    unknown = sorted(set(fields_in) - known)
    if unknown:
        raise TextValueError(f"{where}: {tp.__name__} has no field {unknown[0]!r}")
    built = {name: from_text(v, hints[name], f"{where}.{name}") for name, v in fields_in.items()}
    try:
        return tp(**built)
    except TypeError as exc:
        raise TextValueError(f"{where}: {exc}") from None


def _is_dataframe(tp: Any) -> bool:
    return getattr(tp, "__module__", "").startswith("pandas") and getattr(tp, "__name__", "") == "DataFrame"


def _dataframe(value: Any) -> Any:
    """A pandas DataFrame from a parquet or CSV file."""
    import pandas as pd

    path = Path(str(value))
    if not path.is_file():
        raise ValueError(f"{value!r} is not a parquet or CSV file")
    return pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)
