"""`@dynamic`: a task whose body runs with real input values and builds a sub-DAG, which is then executed.

Inside the body, task calls record nodes (as in a workflow) and Python control flow works on the real
inputs. The walker runs the body through the task runner, then walks the graph it returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from dockyard.sdk.graph import Graph
from dockyard.sdk.promise import GraphBuilder
from dockyard.sdk.task import PythonTask


class DynamicTask(PythonTask):
    node_kind: ClassVar[str] = "dynamic"

    def build(self, node_id: str, kwargs: dict[str, Any]) -> Graph:
        """Run the body with real values (inside a task context) and return the sub-graph it built."""
        from dockyard.sdk.workflow import trace_outputs

        with GraphBuilder(self.name, "dynamic", id_prefix=f"{node_id}-") as builder:
            result = self.fn(**kwargs)
            builder.close_sections()
            graph = builder.graph
            graph.outputs = trace_outputs(builder, result, self.interface)
        graph.output_types = dict(self.interface.outputs)
        return graph


def dynamic(_task_function: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
    """Like `@task`, but the body composes other tasks at run time."""

    def wrap(fn: Callable[..., Any]) -> DynamicTask:
        return DynamicTask(fn, **kwargs)

    return wrap if _task_function is None else wrap(_task_function)
