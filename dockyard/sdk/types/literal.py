"""The literal form: how every value crosses a task boundary (see docs/literals.md).

A literal is a plain JSON-able dict with exactly one *kind* key (`int`, `list`, `blob`, …) and, optionally,
a `hash` key that stands in for the value in cache keys. Documents of named literals carry the schema version.
"""

from __future__ import annotations

import json
from typing import Any

from dockyard.sdk.types.errors import TypeConversionError

Literal = dict[str, Any]

LITERAL_SCHEMA_VERSION = 1


def kind_of(literal: Literal) -> str:
    """The kind key of a literal (the one key that is not `hash`)."""
    for key in literal:
        if key != "hash":
            return key
    raise TypeConversionError("empty literal")


def literals_to_json(literals: dict[str, Literal]) -> str:
    """Serialise named literals as one compact, stable JSON document with the schema version."""
    try:
        return json.dumps(
            {"v": LITERAL_SCHEMA_VERSION, "literals": literals},
            sort_keys=True,
            separators=(",", ":"),
            allow_nan=False,
        )
    except (TypeError, ValueError) as exc:
        raise TypeConversionError(f"literals are not JSON-serialisable: {exc}") from None


def literals_from_json(text: str) -> dict[str, Literal]:
    """Parse a document written by `literals_to_json`, refusing other schema versions."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TypeConversionError(f"literal document is not JSON: {exc}") from None
    if not isinstance(doc, dict) or "literals" not in doc:
        raise TypeConversionError("literal document: missing 'literals'")
    if doc.get("v") != LITERAL_SCHEMA_VERSION:
        raise TypeConversionError(
            f"literal document: schema version {doc.get('v')!r} is not {LITERAL_SCHEMA_VERSION}"
        )
    literals = doc["literals"]
    if not isinstance(literals, dict):
        raise TypeConversionError("literal document: 'literals' is not an object")
    return literals
