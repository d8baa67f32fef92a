"""`create_node(entity, **inputs)`: a call inside a workflow that returns the node itself, so it can be
ordered with `>>` whether or not it has outputs; its outputs are `node.o0` or `node.outputs["o0"]`."""

from __future__ import annotations

from typing import Any

from dockyard.sdk.promise import NodeHandle, Promise, current_builder


def create_node(entity: Any, *args: Any, **kwargs: Any) -> Any:
    """Outside a workflow body the entity simply runs, as flytekit's local execution does."""
    result = entity(*args, **kwargs)
    builder = current_builder()
    if builder is None or isinstance(result, NodeHandle):
        return result
    promises = list(result) if isinstance(result, tuple) else [result]
    first: Promise = promises[0]
    return NodeHandle(first.node_id, builder, {p.ref.output: p for p in promises})
