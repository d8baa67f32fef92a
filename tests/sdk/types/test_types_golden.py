"""The literal form is a stored format: these golden files pin it (schema version 1) byte for byte.

A change that breaks them needs a new schema version and a reader for the old one, not a new golden file.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from dockyard.sdk.types import (
    LITERAL_SCHEMA_VERSION,
    FlyteDirectory,
    FlyteFile,
    FlytePickle,
    StructuredDataset,
    TypeEngine,
    TypeTransformerFailedError,
    hash_literals,
    kwtypes,
    literals_from_json,
    literals_to_json,
)

GOLDEN = Path(__file__).parent / "golden"


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Inner:
    ratio: float = 0.5


@dataclass
class Record:
    name: str
    inner: Inner = field(default_factory=Inner)
    tags: list[str] = field(default_factory=list)


CASES: dict[str, tuple[Any, Any]] = {
    "int": (42, int),
    "float": (0.1, float),
    "nan": (float("nan"), float),
    "str": ("héllo", str),
    "bool": (True, bool),
    "bytes": (b"\x00\x01", bytes),
    "datetime": (dt.datetime(2024, 3, 1, 12, 30, 0, 250), dt.datetime),
    "date": (dt.date(2024, 3, 1), dt.date),
    "duration": (dt.timedelta(minutes=90, microseconds=3), dt.timedelta),
    "none": (None, typing.Optional[int]),  # noqa: UP045 - the spelling flytekit users write
    "list": ([1, 2], list[int]),
    "map": ({"a": [0.5]}, dict[str, list[float]]),
    "union": ("x", typing.Union[int, str]),  # noqa: UP007
    "enum": (Color.BLUE, Color),
    "record": (Record("r", tags=["t"]), Record),
    "json": ({"k": [1, None]}, dict),
    "file": (FlyteFile("s3://bucket/data.csv"), FlyteFile[typing.TypeVar("csv")]),
    "directory": (FlyteDirectory("s3://bucket/model/"), FlyteDirectory),
    "dataset": (
        StructuredDataset(uri="s3://bucket/df.parquet"),
        typing.Annotated[StructuredDataset, kwtypes(a=int)],
    ),
    "pickle": ((1, "a"), FlytePickle),
}


def literals() -> dict[str, Any]:
    return {name: TypeEngine.to_literal(value, tp) for name, (value, tp) in CASES.items()}


def test_schema_version_is_pinned() -> None:
    assert LITERAL_SCHEMA_VERSION == 1


def test_literal_document_matches_the_golden_file() -> None:
    golden = json.loads((GOLDEN / "literals_v1.json").read_text())
    text = literals_to_json(literals())
    assert json.loads(text) == golden
    assert text == json.dumps(golden, sort_keys=True, separators=(",", ":"))


def test_golden_document_reads_back_to_the_values() -> None:
    parsed = literals_from_json((GOLDEN / "literals_v1.json").read_text())
    for name, (value, tp) in CASES.items():
        back = TypeEngine.to_python(parsed[name], tp)
        if name == "nan":
            assert back != back
        elif isinstance(value, FlyteFile | FlyteDirectory):
            assert back.remote_source == value.remote_source
        elif isinstance(value, StructuredDataset):
            assert back.uri == value.uri
        elif name == "datetime":
            assert back == value.replace(tzinfo=dt.timezone.utc)
        else:
            assert back == value, name


def test_literal_types_match_the_golden_file() -> None:
    golden = json.loads((GOLDEN / "literal_types_v1.json").read_text())
    assert {name: TypeEngine.literal_type(tp) for name, (_, tp) in CASES.items()} == golden


def test_cache_key_is_stable() -> None:
    key = (GOLDEN / "hash_v1.txt").read_text().strip()
    assert hash_literals(literals()) == key


def test_other_schema_versions_are_refused() -> None:
    with pytest.raises(TypeTransformerFailedError, match="schema version 2 is not 1"):
        literals_from_json('{"v": 2, "literals": {}}')
    with pytest.raises(TypeTransformerFailedError, match="not JSON"):
        literals_from_json("{")
