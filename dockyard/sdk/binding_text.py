"""A workflow's output bindings in FlyteIDL's protobuf text form, which flytekit's workflow repr prints.

Only the repr needs it: promises (with their attribute path), primitive constants, None, and lists and
dicts of those, indented two spaces per level as protobuf's text format does.
"""

from __future__ import annotations

from typing import Any

from dockyard.sdk.graph import INPUTS, Const, DictOf, ListOf, Ref

_PRIMITIVES = {"int": "integer", "float": "float_value", "str": "string_value", "bool": "boolean"}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _quote(value)
    return repr(value)


def _block(name: str, body: list[str]) -> list[str]:
    return [f"{name} {{", *(f"  {line}" for line in body), "}"]


def _data(binding: Any) -> list[str]:
    """The lines of one BindingData."""
    if isinstance(binding, Ref):
        # a workflow input's promise has an empty node id, which protobuf's text leaves out
        lines = [] if binding.node == INPUTS else [f"node_id: {_quote(binding.node)}"]
        lines.append(f"var: {_quote(binding.output)}")
        for step in binding.path:
            kind = "string_value" if isinstance(step, str) else "int_value"
            lines += _block("attr_path", [f"{kind}: {_scalar(step)}"])
        return _block("promise", lines)
    if isinstance(binding, ListOf):
        items = [line for item in binding.items for line in _block("bindings", _data(item))]
        return _block("collection", items)
    if isinstance(binding, DictOf):
        entries: list[str] = []
        for key, item in binding.items:
            entries += _block("bindings", [f"key: {_quote(key)}", *_block("value", _data(item))])
        return _block("map", entries)
    literal = binding.literal if isinstance(binding, Const) else {}
    for key, field in _PRIMITIVES.items():
        if key in literal:
            return _block("scalar", _block("primitive", [f"{field}: {_scalar(literal[key])}"]))
    return _block("scalar", _block("none_type", []) if "none" in literal else [])


def bindings_text(outputs: dict[str, Any]) -> str:
    """`[var: "o0"\\nbinding {...}\\n, ...]`: the printed list of a workflow's output bindings."""
    entries = [
        f"var: {_quote(name)}\n" + "\n".join(_block("binding", _data(b))) + "\n"
        for name, b in outputs.items()
    ]
    return "[" + ", ".join(entries) + "]"
