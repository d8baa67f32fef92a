"""Running ONE task body with literal inputs, in whatever task context the caller installed.

The local runner (and the container entrypoint's subclass of it) wraps the input and output conversions
with its own context, timeout and traceback trimming; `run_task_literals` runs a body in whatever context
the caller installed.
"""

from __future__ import annotations

from typing import Any

from dockyard.sdk.graph import Graph


def python_inputs(task: Any, inputs: dict[str, Any]) -> dict[str, Any]:
    from dockyard.sdk.types import TypeEngine

    types = task.interface.inputs
    return {k: TypeEngine.to_python(lit, types[k], path=k) for k, lit in inputs.items()}


def output_literals(task: Any, result: Any) -> dict[str, Any]:
    """Check and convert what the body returned; the message names the task."""
    from dockyard.sdk.types import TypeEngine, TypeTransformerFailedError

    iface = task.interface
    values = iface.unpack_outputs(result, task.name)
    literals = {}
    for position, (k, v) in enumerate(values.items()):
        try:
            literals[k] = TypeEngine.to_literal(v, iface.outputs[k], path=k)
        except TypeTransformerFailedError as exc:  # flytekit's first line, then which output and why
            raise TypeTransformerFailedError(
                f"Failed to convert outputs of task '{task.name}' at position {position}.\n  {exc}"
            ) from None
    return literals


def run_task_literals(task: Any, inputs: dict[str, Any], node_id: str = "n0") -> dict[str, Any] | Graph:
    """Output literals of a task, or the sub-graph a dynamic task's body builds (ids prefixed by node_id)."""
    kwargs = python_inputs(task, inputs)
    if task.node_kind == "dynamic":
        graph: Graph = task.build(node_id, kwargs)
        return graph
    return output_literals(task, task.fn(**kwargs))
