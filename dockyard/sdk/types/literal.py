"""The literal form: how every value crosses a task boundary (see docs/literals.md).

A literal is a plain JSON-able dict with exactly one *kind* key (`int`, `list`, `blob`, …) and, optionally,
a `hash` key that stands in for the value in cache keys. Documents of named literals carry the schema version.
"""

from __future__ import annotations

import json
from typing import Any

from dockyard.sdk.types.errors import TypeTransformerFailedError

Literal = dict[str, Any]

LITERAL_SCHEMA_VERSION = 1


def kind_of(literal: Literal) -> str:
    """The kind key of a literal (the one key that is not `hash`)."""
    for key in literal:
        if key != "hash":
            return key
    raise TypeTransformerFailedError("empty literal")


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
        raise TypeTransformerFailedError(f"literals are not JSON-serialisable: {exc}") from None


def literals_from_json(text: str) -> dict[str, Literal]:
    """Parse a document written by `literals_to_json`, refusing other schema versions."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TypeTransformerFailedError(f"literal document is not JSON: {exc}") from None
    if not isinstance(doc, dict) or "literals" not in doc:
        raise TypeTransformerFailedError("literal document: missing 'literals'")
    if doc.get("v") != LITERAL_SCHEMA_VERSION:
        raise TypeTransformerFailedError(
            f"literal document: schema version {doc.get('v')!r} is not {LITERAL_SCHEMA_VERSION}"
        )
    literals = doc["literals"]
    if not isinstance(literals, dict):
        raise TypeTransformerFailedError("literal document: 'literals' is not an object")
    return literals


def castable(src: dict[str, Any], dst: dict[str, Any]) -> bool:
    """Can a value of literal type `src` feed an input of literal type `dst` (flytekit's compile-time check)?

    Beyond equality: a file format hint or a data-frame column list on one side only is fine, a data frame's
    columns may be narrowed, and a union input accepts any of its variants.
    """
    if src == dst:
        return True
    if "union" in dst and "union" not in src:
        return any(castable(src, variant) for variant in dst["union"])
    if "union" in src:
        return all(castable(variant, dst) for variant in src["union"])
    if "list" in src and "list" in dst:
        return castable(src["list"], dst["list"])
    if "map" in src and "map" in dst:
        return castable(src["map"], dst["map"])
    if "dict" in src and "dict" in dst:
        s_dict, d_dict = src["dict"], dst["dict"]
        return bool(s_dict["key"] == d_dict["key"] and castable(s_dict["value"], d_dict["value"]))
    if "blob" in src and "blob" in dst:
        s, d = src["blob"], dst["blob"]
        formats_fit = not s["format"] or not d["format"] or s["format"] == d["format"]
        return bool(s["dimensionality"] == d["dimensionality"] and formats_fit)
    if "structured" in src and "structured" in dst:
        s_cols = {c["name"]: c["type"] for c in src["structured"]["columns"]}
        d_cols = {c["name"]: c["type"] for c in dst["structured"]["columns"]}
        return not s_cols or not d_cols or all(s_cols.get(n) == t for n, t in d_cols.items())
    if "record" in src and "record" in dst:
        s_rec, d_rec = src["record"], dst["record"]
        return (
            s_rec["name"] == d_rec["name"]
            and s_rec["fields"].keys() == d_rec["fields"].keys()
            and all(castable(t, d_rec["fields"][n]) for n, t in s_rec["fields"].items())
        )
    return False
