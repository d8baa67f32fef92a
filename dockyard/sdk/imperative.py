"""flytekit's imperative `Workflow`: a workflow built by calls (`add_entity`...) instead of a function body.

Each `add_*` call records one node through the same `GraphBuilder` a traced body uses, so the result is an
ordinary compiled workflow graph: it runs locally, nests, and serializes like an `@workflow`.
"""

from __future__ import annotations

import threading
from typing import Any

from dockyard.sdk.graph import INPUTS, Graph, Ref
from dockyard.sdk.instance_task import caller_module, variable_name
from dockyard.sdk.interface import Interface, default_output_tuple
from dockyard.sdk.promise import GraphBuilder, NodeHandle, Promise, bind, order
from dockyard.sdk.workflow import WorkflowBase, WorkflowFailurePolicy


class ImperativeNode:
    """What `add_entity` returns: the node's id and its outputs by name; `>>` orders it before another."""

    def __init__(self, node_id: str, builder: GraphBuilder, outputs: dict[str, Promise]) -> None:
        self.id = node_id
        self.outputs = outputs
        self._handle = NodeHandle(node_id, builder)

    @property
    def node_id(self) -> str:
        return self.id

    def __rshift__(self, other: Any) -> Any:
        with self._handle.builder:
            order(self._handle, other._handle if isinstance(other, ImperativeNode) else other)
        return other

    def with_overrides(self, **overrides: Any) -> ImperativeNode:
        self._handle.with_overrides(**overrides)
        return self


class ImperativeWorkflow(WorkflowBase):
    """`Workflow(name=...)`; add inputs, entities and outputs, then call it like any workflow."""

    def __init__(
        self,
        name: str,
        failure_policy: WorkflowFailurePolicy | None = None,
        interruptible: bool = False,
    ) -> None:
        self.fn = None  # type: ignore[assignment]
        self.module = caller_module(2)
        self._short_name = name.rsplit(".", 1)[-1]
        self.name = name
        self.__doc__ = None
        self._default_literals = {}
        self.options = {"interruptible": interruptible}
        self.failure_policy = failure_policy or WorkflowFailurePolicy.FAIL_IMMEDIATELY
        self.on_failure = None
        self.interface = Interface(inputs={}, outputs={})
        self._builder = GraphBuilder(name, "workflow")
        self._inputs: dict[str, Promise] = {}
        self._outputs: dict[str, Any] = {}
        self._graph: Graph | None = None
        self._compiling = threading.Lock()

    @property
    def short_name(self) -> str:
        return variable_name(self) or self._short_name

    @short_name.setter
    def short_name(self, value: str) -> None:
        self._short_name = value

    @property
    def inputs(self) -> dict[str, Promise]:
        return self._inputs

    def _set_interface(self) -> None:
        names = tuple(self._outputs)
        self.interface = Interface(
            inputs={k: p.python_type for k, p in self._inputs.items()},
            outputs={k: tp for k, (_, tp) in self._outputs.items()},
            output_tuple=default_output_tuple(names) if len(names) > 1 else None,
        )
        self._graph = None

    def add_workflow_input(self, input_name: str, python_type: Any) -> Promise:
        if input_name in self._inputs:
            raise ValueError(f"Input {input_name} has already been specified for wf {self.name}.")
        promise = Promise(Ref(INPUTS, input_name, python_type), self._builder, f"workflow '{self.name}'")
        self._inputs[input_name] = promise
        self._set_interface()
        return promise

    def add_workflow_output(self, output_name: str, p: Any, python_type: Any = None) -> None:
        if output_name in self._outputs:
            raise ValueError(f"Output {output_name} already exists in workflow {self.name}")
        if python_type is None:
            if not isinstance(p, Promise):
                raise ValueError(
                    f"If specifying a list or dict of Promises, you must specify the python_type "
                    f"type for {output_name} starting with the container type (e.g. List[int]"
                )
            python_type = p.python_type
        self._outputs[output_name] = (p, python_type)
        self._set_interface()

    def add_entity(self, entity: Any, **kwargs: Any) -> ImperativeNode:
        """Record a call of a task, workflow or launch plan with these inputs (promises or constants)."""
        with self._builder:
            result = entity(**kwargs)
        if isinstance(result, NodeHandle):
            return ImperativeNode(result.node_id, self._builder, {})
        results = [result] if isinstance(result, Promise) else list(result)
        outputs = dict(zip(entity.interface.outputs, results, strict=True))
        return ImperativeNode(results[0].node_id, self._builder, outputs)

    add_task = add_entity
    add_launch_plan = add_entity
    add_subwf = add_entity

    def ready(self) -> bool:
        return bool(self._builder.graph.nodes)

    def trace(self) -> Graph:
        builder = self._builder
        graph = Graph(self.name)
        graph.nodes = list(builder.graph.nodes)
        graph.outputs = {
            name: bind(builder, p, tp, f"output '{name}'") for name, (p, tp) in self._outputs.items()
        }
        graph.input_types = dict(self.interface.inputs)
        graph.output_types = dict(self.interface.outputs)
        return graph


Workflow = ImperativeWorkflow
