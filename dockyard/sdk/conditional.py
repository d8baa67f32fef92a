"""`conditional(name)`: branches inside a workflow, decided at run time; only the taken branch runs.

Nodes created while a conditional is open are collected and handed to the case whose `then` (or shorthand
`if_(cond, then=...)`, `else_(value)`) receives them, so both spellings in the seed work. The whole
conditional becomes one `branch` node whose outputs are the taken case's outputs.
"""

from __future__ import annotations

from typing import Any

from dockyard.sdk.errors import CompileError, WorkflowAssertionError
from dockyard.sdk.graph import Binding, Branch, Case, Expr, Node, refs_in
from dockyard.sdk.interface import is_namedtuple
from dockyard.sdk.promise import (
    ComparisonExpression,
    GraphBuilder,
    NodeHandle,
    Promise,
    bind,
    current_builder,
    promises_for,
    upstream_of,
)

_UNSET = object()


class ConditionalSection:
    """An open conditional: cases so far, the nodes not yet given to a case, and the output shape."""

    def __init__(self, name: str, builder: GraphBuilder) -> None:
        self.name = name
        self.builder = builder
        self.branch = Branch(name)
        self._pending: list[Node] = []
        self._condition: Expr | None = None
        self._awaiting_then = False
        self._finished = False
        self._result_shape: Any = None  # the tuple type of multi-output cases, when there is one
        self._shape_set = False
        builder.push_section(self)

    # ---- called by the builder ----
    def adopt(self, node: Node) -> None:
        self._pending.append(node)

    def pending_nodes(self) -> list[Node]:
        return list(self._pending)

    # ---- the fluent API ----
    def if_(self, expr: Any, then: Any = _UNSET) -> Any:
        if self.branch.cases or self._awaiting_then:
            raise self.builder.error(f"conditional '{self.name}': if_ can only come first; use elif_")
        return self._open(expr, then)

    def elif_(self, expr: Any, then: Any = _UNSET) -> Any:
        if not self.branch.cases or self._awaiting_then:
            raise self.builder.error(f"conditional '{self.name}': elif_ needs a preceding if_(...).then(...)")
        return self._open(expr, then)

    def else_(self, value: Any = _UNSET) -> Any:
        if not self.branch.cases or self._awaiting_then:
            raise self.builder.error(f"conditional '{self.name}': else_ needs a preceding if_(...).then(...)")
        self._condition = None
        self._awaiting_then = True
        if value is not _UNSET:
            return self.then(value)
        return self

    def then(self, value: Any) -> Any:
        """Close the open case with `value` (a promise, a tuple of promises, or a no-output call)."""
        if not self._awaiting_then:
            raise self.builder.error(f"conditional '{self.name}': then() without if_/elif_/else_")
        is_else = self._condition is None
        case = Case(self._condition, self._take_pending(), self._bind_outputs(value))
        self.branch.cases.append(case)
        self._awaiting_then = False
        return self.finish() if is_else else self

    def fail(self, message: str) -> Any:
        """The open case (usually the else) fails the execution with `message` when taken."""
        if not self._awaiting_then:
            raise self.builder.error(f"conditional '{self.name}': fail() without if_/elif_/else_")
        is_else = self._condition is None
        self.branch.cases.append(Case(self._condition, self._take_pending(), {}, fail=message))
        self._awaiting_then = False
        return self.finish() if is_else else self

    def __bool__(self) -> bool:
        raise self.builder.error(f"conditional '{self.name}' cannot be tested with if/and/or")

    # ---- internals ----
    def _open(self, expr: Any, then: Any) -> Any:
        if isinstance(expr, Promise):
            raise self.builder.flytekit_error(
                WorkflowAssertionError,
                "Flytekit does not support unary expressions of the form `if_(x) - where x is an input value "
                f"or output of a previous node. Received var {expr} in condition {self.name}.if_\n"
                "  use .is_true(), .is_false() or a comparison",
                expr,
            )
        if not isinstance(expr, ComparisonExpression):
            raise self.builder.error(
                f"conditional '{self.name}': condition must compare a promise, got {type(expr).__name__} "
                f"{expr!r}"
            )
        self._condition = expr.to_expr()
        self._hoist(self._condition)
        self._awaiting_then = True
        if then is not _UNSET:
            return self.then(then)
        return self

    def _hoist(self, condition: Expr) -> None:
        """Nodes a condition reads (e.g. `if_(score(x=x) > 2)`) run before the branch, not inside a case."""
        needed = {ref.node for ref in refs_in(condition)}
        hoisted = [n for n in self._pending if n.id in needed]
        if not hoisted:
            return
        self._pending = [n for n in self._pending if n.id not in needed]
        self.builder.pop_section(self)
        try:
            for node in hoisted:
                self.builder.add(node)
        finally:
            self.builder.push_section(self)

    def _take_pending(self) -> list[Node]:
        nodes, self._pending = self._pending, []
        return nodes

    def _bind_outputs(self, value: Any) -> dict[str, Binding]:
        if isinstance(value, NodeHandle) or value is None:
            values: list[Any] = []
        elif isinstance(value, tuple):
            values = list(value)
            if is_namedtuple(type(value)):
                self._result_shape = type(value)
        else:
            values = [value]
        types = self.branch.output_types
        if not self._shape_set:
            self._shape_set = True
            for i, v in enumerate(values):
                name = v.ref.output if isinstance(v, Promise) and len(values) == 1 else f"o{i}"
                types[name] = v.python_type if isinstance(v, Promise) else type(v)
        if len(values) != len(types):
            raise self.builder.error(
                f"conditional '{self.name}': every case must give {len(types)} outputs, "
                f"this one gives {len(values)}"
            )
        where = f"conditional '{self.name}'"
        return {n: bind(self.builder, v, tp, where) for (n, tp), v in zip(types.items(), values, strict=True)}

    def finish(self) -> Any:
        """Turn the conditional into a branch node in the enclosing graph or case; return its promises."""
        if self._finished:
            raise CompileError(f"conditional '{self.name}' is already complete")
        if self._awaiting_then:
            raise self.builder.error(f"conditional '{self.name}': a case has no then() or fail()")
        self._finished = True
        self.builder.pop_section(self)
        inner: set[str] = set()
        refs: list[Any] = []
        stack = [n for c in self.branch.cases for n in c.nodes]
        while stack:
            n = stack.pop()
            inner.add(n.id)
            refs.extend(n.inputs.values())
            if n.branch is not None:
                stack.extend(x for c in n.branch.cases for x in c.nodes)
        for c in self.branch.cases:
            if c.condition is not None:
                refs.append(c.condition)
            refs.extend(c.outputs.values())
        upstream = [u for u in upstream_of(refs) if u not in inner]
        for n in (n for c in self.branch.cases for n in c.nodes):
            upstream.extend(u for u in n.upstream if u not in inner and u not in upstream)
        node = Node(self.builder.new_id(), "branch", None, {}, upstream, self.branch)
        self.builder.add(node)
        types = self.branch.output_types
        if not types:
            return NodeHandle(node.id, self.builder)
        shape = self._result_shape
        if len(types) == 1:
            shape = None
        elif shape is None or len(shape._fields) != len(types):
            from dockyard.sdk.interface import default_output_tuple

            shape = default_output_tuple(tuple(types))
        return promises_for(self.builder, node.id, types, shape, f"conditional '{self.name}'")


def conditional(name: str) -> ConditionalSection:
    """Start a conditional inside a workflow body."""
    builder = current_builder()
    if builder is None:
        raise CompileError(f"conditional '{name}' can only be used inside a workflow or dynamic body")
    return ConditionalSection(name, builder)
