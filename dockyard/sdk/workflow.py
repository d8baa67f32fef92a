"""`@workflow`: a function whose body is traced once, on first use, into a graph of nodes.

The body runs with promises for its inputs; every task, workflow, dynamic or map call records a node. What
the body returns becomes the workflow's output bindings. Locally, calling the workflow walks that graph.
As in flytekit, the body is traced when the workflow is first called (or its graph first needed), not at
decoration: a body may call tasks defined further down its module, and its mistakes surface on that call.
"""

from __future__ import annotations

import collections
import enum
import threading
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar, overload

from dockyard.sdk.entities import Entity
from dockyard.sdk.errors import WorkflowAssertionError
from dockyard.sdk.graph import INPUTS, Graph, Ref
from dockyard.sdk.interface import Interface, interface_of
from dockyard.sdk.promise import GraphBuilder, Promise, bind

F = TypeVar("F", bound=Callable[..., Any])


def trace_outputs(builder: GraphBuilder, result: Any, interface: Interface) -> dict[str, Any]:
    """Bind what a body returned to the declared outputs (promises or constants)."""
    outputs = interface.outputs
    names = list(outputs)
    if not names:
        if result is not None and not _is_handle(result):
            raise builder.error(f"returns {type(result).__name__} but declares no outputs")
        return {}
    if len(names) == 1:
        # flytekit's checks of a one-output body returning a tuple it built (not a node's one output)
        if isinstance(result, tuple) and not getattr(result, "single_output", False):
            if len(result) != 1:
                raise builder.flytekit_error(
                    WorkflowAssertionError,
                    f"The Workflow specification indicates only one return value, received {len(result)}",
                )
            if interface.named_tuple is None:
                raise builder.flytekit_error(
                    WorkflowAssertionError,
                    "Outputs specification for Workflow does not define a tuple, but return value is a tuple",
                )
            result = result[0]
        values = [result]
    else:
        if not isinstance(result, tuple) or len(result) != len(names):
            raise builder.error(f"must return {len(names)} outputs {names}, got {type(result).__name__}")
        values = list(result)
    return {n: bind(builder, v, outputs[n], f"output '{n}'") for n, v in zip(names, values, strict=True)}


def _is_handle(value: Any) -> bool:
    from dockyard.sdk.promise import NodeHandle

    return isinstance(value, NodeHandle)


class WorkflowFailurePolicy(enum.Enum):
    """What a workflow does when a node fails: stop at once, or let every node that can still run finish."""

    FAIL_IMMEDIATELY = 0
    FAIL_AFTER_EXECUTABLE_NODES_COMPLETE = 1


class WorkflowBase(Entity):
    """A workflow: its interface, and its graph (traced on first use)."""

    node_kind: ClassVar[str] = "workflow"
    mock: Callable[..., Any] | None = None  # set by `testing.task_mock`: runs instead of the nodes

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        failure_policy: WorkflowFailurePolicy | None = None,
        on_failure: Any = None,
        **options: Any,
    ) -> None:
        super().__init__(fn, name)
        self.options = options  # interruptible, docs, default_options...: recorded
        self.failure_policy = failure_policy or WorkflowFailurePolicy.FAIL_IMMEDIATELY
        self.on_failure = on_failure
        self.interface = interface_of(fn, "workflow")
        self._graph: Graph | None = None
        self._compiling = threading.Lock()

    @property
    def finish_on_failure(self) -> bool:
        return self.failure_policy is WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE

    @property
    def graph(self) -> Graph:
        """The traced body; traced once, by the first caller."""
        if self._graph is None:
            with self._compiling:
                if self._graph is None:
                    self._check_failure_node()
                    self._graph = self.trace()
        return self._graph

    def _check_failure_node(self) -> None:
        """flytekit's check when it compiles: the handler's inputs are the workflow's (and `err`)."""
        handler = self.on_failure
        if handler is None:
            return
        mine = self.interface.inputs
        for name, tp in handler.interface.inputs.items():
            if name != "err" and mine.get(name) != tp:
                from dockyard.sdk.exceptions import FlyteFailureNodeInputMismatchException

                raise FlyteFailureNodeInputMismatchException(handler, self)

    def trace(self) -> Graph:
        """Run the body with promises and return the graph it builds (a new one on each call)."""
        iface = self.interface
        with GraphBuilder(self.name, "workflow") as builder:
            args = {
                n: Promise(Ref(INPUTS, n, tp), builder, f"workflow '{self.name}'")
                for n, tp in iface.inputs.items()
            }
            result = self.fn(**args)
            builder.close_sections()
            graph = builder.graph
            graph.outputs = trace_outputs(builder, result, iface)
        graph.input_types = dict(iface.inputs)
        graph.output_types = dict(iface.outputs)
        return graph

    @property
    def nodes(self) -> list[Any]:
        return self.graph.nodes

    def __repr__(self) -> str:
        """flytekit's form: name, inputs, outputs, and the output bindings once the body is compiled."""
        from dockyard.sdk.binding_text import bindings_text

        iface = self.interface
        outputs: Any = dict(iface.outputs)
        if len(outputs) > 1 and iface.named_tuple is None:
            outputs = collections.OrderedDict(outputs)  # what flytekit keeps for `-> Tuple[...]`
        bindings = bindings_text(self._graph.outputs) if self._graph is not None else "[]"
        return (
            f"WorkflowBase - {self.name} && Inputs ({len(iface.inputs)}): {dict(iface.inputs)} && "
            f"Outputs ({len(outputs)}): {outputs} && Output bindings: {bindings} && "
        )


PythonFunctionWorkflow = WorkflowBase


@overload
def workflow(_workflow_function: F, **kwargs: Any) -> WorkflowBase: ...
@overload
def workflow(_workflow_function: None = None, **kwargs: Any) -> Callable[[F], WorkflowBase]: ...
def workflow(_workflow_function: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
    """Compile a function into a workflow; bare (`@workflow`) or with options (`@workflow(name=...)`)."""

    def wrap(fn: Callable[..., Any]) -> WorkflowBase:
        return WorkflowBase(fn, **kwargs)

    return wrap if _workflow_function is None else wrap(_workflow_function)
