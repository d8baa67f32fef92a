"""Tracing workflow bodies: promises stand for outputs that do not exist yet, and a builder records nodes.

While a workflow (or a dynamic task's body) is being compiled, a `GraphBuilder` is current in this thread;
calling a task then adds a node and returns promises instead of running it. Promises refuse everything that
would need a real value (`if`, `and`/`or`, `print`, `len`, attribute access, iteration) with a
`CompileError` that names the workflow, the line in the user's file and the promise.
"""

from __future__ import annotations

import sys
import threading
import typing
from typing import Any

from dockyard.sdk.errors import CompileError
from dockyard.sdk.graph import (
    INPUTS,
    Binding,
    Comparison,
    Conjunction,
    Const,
    DictOf,
    Expr,
    Graph,
    ListOf,
    Node,
    NodeKind,
    Ref,
    refs_in,
)
from dockyard.sdk.interface import type_name

_SDK_DIR = __file__.rsplit("/", 1)[0]
_local = threading.local()


def user_line() -> str:
    """`file:line` of the innermost frame outside dockyard's SDK: where the user wrote the offending code."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_SDK_DIR):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "<unknown>"
    return f"{frame.f_lineno} of {frame.f_code.co_filename}"


def current_builder() -> GraphBuilder | None:
    return getattr(_local, "builder", None)


class GraphBuilder:
    """Collects nodes while a workflow or dynamic body runs; at most one per thread at a time (nested ok)."""

    def __init__(self, name: str, kind: str = "workflow", id_prefix: str = "") -> None:
        self.name = name
        self.kind = kind
        self.id_prefix = id_prefix
        self.graph = Graph(name)
        self._count = 0
        self._sections: list[Any] = []  # open conditional sections (innermost last)
        self._parent: GraphBuilder | None = None

    def __enter__(self) -> GraphBuilder:
        self._parent = current_builder()
        _local.builder = self
        return self

    def __exit__(self, *exc: object) -> None:
        _local.builder = self._parent

    def error(self, what: str, promise: Promise | None = None) -> CompileError:
        about = f" on {promise.describe()}" if promise is not None else ""
        return CompileError(f"{self.kind} '{self.name}', line {user_line()}: {what}{about}")

    def new_id(self) -> str:
        node_id = f"{self.id_prefix}n{self._count}"
        self._count += 1
        return node_id

    def add(self, node: Node) -> None:
        """Add a node to the open conditional case if any, else to the graph."""
        if self._sections:
            self._sections[-1].adopt(node)
        else:
            self.graph.nodes.append(node)

    def push_section(self, section: Any) -> None:
        self._sections.append(section)

    def close_sections(self) -> None:
        """Finish conditionals left without an else at the end of the body (they then have no outputs)."""
        while self._sections:
            self._sections[-1].finish()

    def pop_section(self, section: Any) -> None:
        if self._sections and self._sections[-1] is section:
            self._sections.pop()


class Promise:
    """A future output of a node (or a workflow input) inside a workflow body."""

    __slots__ = ("_builder", "_owner", "_ref")

    def __init__(self, ref: Ref, builder: GraphBuilder, owner: str) -> None:
        self._ref = ref
        self._builder = builder
        self._owner = owner

    @property
    def ref(self) -> Ref:
        return self._ref

    @property
    def node_id(self) -> str:
        return self._ref.node

    @property
    def python_type(self) -> Any:
        return self._ref.type

    def describe(self) -> str:
        r = self._ref
        if r.node == INPUTS:
            return f"promise '{r.output}' (workflow input)"
        return f"promise '{r.node}.{r.output}' (output '{r.output}' of {self._owner})"

    def _fail(self, what: str) -> CompileError:
        return self._builder.error(what, self)

    # --- what a promise cannot do ---------------------------------------------------------------------
    def __bool__(self) -> bool:
        raise self._fail("`if`, `and`, `or` or `not` cannot test a promise; use dockyard.conditional")

    def __str__(self) -> str:
        raise self._fail("print() or str() of a promise is not possible (its value does not exist yet)")

    def __format__(self, spec: str) -> str:
        raise self._fail("formatting a promise is not possible (its value does not exist yet)")

    def __repr__(self) -> str:
        return f"Promise({self._ref.node}.{self._ref.output})"

    def __len__(self) -> int:
        raise self._fail("len() of a promise is not possible (its value does not exist yet)")

    def __iter__(self) -> Any:
        raise self._fail("iterating over a promise is not possible; use map_task or @dynamic")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise self._fail(f"attribute access '.{name}' is not possible")

    def __getitem__(self, key: Any) -> Any:
        raise self._fail(f"indexing [{key!r}] is not possible")

    def __hash__(self) -> int:
        return id(self)

    def __contains__(self, item: Any) -> bool:
        raise self._fail("`in` on a promise is not possible (its value does not exist yet)")

    def _arith(self, *_: Any) -> Any:
        raise self._fail("arithmetic on a promise is not possible; compute it in a task")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _arith
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _arith
    __pow__ = __rpow__ = __neg__ = __pos__ = __abs__ = _arith
    __int__ = __float__ = __index__ = _arith

    # --- comparisons build conditions ------------------------------------------------------------------
    def _cmp(self, op: str, other: Any) -> ComparisonExpression:
        return ComparisonExpression(op, self, other)

    def __eq__(self, other: Any) -> ComparisonExpression:  # type: ignore[override]
        return self._cmp("eq", other)

    def __ne__(self, other: Any) -> ComparisonExpression:  # type: ignore[override]
        return self._cmp("ne", other)

    def __lt__(self, other: Any) -> ComparisonExpression:
        return self._cmp("lt", other)

    def __le__(self, other: Any) -> ComparisonExpression:
        return self._cmp("le", other)

    def __gt__(self, other: Any) -> ComparisonExpression:
        return self._cmp("gt", other)

    def __ge__(self, other: Any) -> ComparisonExpression:
        return self._cmp("ge", other)

    def is_true(self) -> ComparisonExpression:
        return self._cmp("eq", True)

    def is_false(self) -> ComparisonExpression:
        return self._cmp("eq", False)

    def is_none(self) -> ComparisonExpression:
        return ComparisonExpression("is_none", self, None)

    # --- ordering and overrides -------------------------------------------------------------------------
    def __rshift__(self, other: Any) -> Any:
        return order(self, other)

    def with_overrides(self, **overrides: Any) -> Promise:
        """Record node overrides (resources, retries...) on the node; locally they are recorded only."""
        _record_overrides(self._builder, self._ref.node, overrides)
        return self


class NodeHandle:
    """What a call with no outputs returns inside a workflow: something `>>` can order."""

    __slots__ = ("builder", "node_id")

    def __init__(self, node_id: str, builder: GraphBuilder) -> None:
        self.node_id = node_id
        self.builder = builder

    def __rshift__(self, other: Any) -> Any:
        return order(self, other)

    def with_overrides(self, **overrides: Any) -> NodeHandle:
        _record_overrides(self.builder, self.node_id, overrides)
        return self

    def __bool__(self) -> bool:
        raise self.builder.error(f"`if` on the result of node '{self.node_id}', which has no outputs")


def _find_node(builder: GraphBuilder, node_id: str) -> Node | None:
    for node in builder.graph.all_nodes():
        if node.id == node_id:
            return node
    for section in builder._sections:
        for node in section.pending_nodes():
            if node.id == node_id:
                return node
    return None


def _record_overrides(builder: GraphBuilder, node_id: str, overrides: dict[str, Any]) -> None:
    node = _find_node(builder, node_id)
    if node is not None:
        node.overrides.update(overrides)


def _node_id_of(x: Any) -> str | None:
    if isinstance(x, Promise):
        return x.node_id if x.node_id != INPUTS else None
    if isinstance(x, NodeHandle):
        return x.node_id
    if isinstance(x, tuple) and x and isinstance(x[0], Promise):
        return x[0].node_id
    return None


def order(first: Any, second: Any) -> Any:
    """`a >> b`: b waits for a, without data passing between them."""
    builder = current_builder()
    a, b = _node_id_of(first), _node_id_of(second)
    if builder is None or a is None or b is None:
        raise CompileError(f"`>>` needs two node results inside a workflow, got {first!r} and {second!r}")
    node = _find_node(builder, b)
    if node is not None and a not in node.upstream:
        node.upstream.append(a)
    return second


class ComparisonExpression:
    """`promise <op> value`: a condition for `conditional().if_()`; combine with `&` and `|`, never and/or."""

    __slots__ = ("lhs", "op", "rhs")

    def __init__(self, op: str, lhs: Any, rhs: Any) -> None:
        self.op, self.lhs, self.rhs = op, lhs, rhs

    def __and__(self, other: Any) -> ConjunctionExpression:
        return ConjunctionExpression("and", self, other)

    def __or__(self, other: Any) -> ConjunctionExpression:
        return ConjunctionExpression("or", self, other)

    def __bool__(self) -> bool:
        builder = current_builder()
        msg = "`and`, `or`, `not` or `if` on a condition is not possible; combine conditions with & and |"
        if builder is None:
            raise CompileError(msg)
        p = self.lhs if isinstance(self.lhs, Promise) else None
        raise builder.error(msg, p)

    def to_expr(self) -> Expr:
        lhs = _operand(self.lhs, self.rhs)
        rhs = None if self.op == "is_none" else _operand(self.rhs, self.lhs)
        return Comparison(self.op, lhs, rhs)


class ConjunctionExpression(ComparisonExpression):
    __slots__ = ()

    def to_expr(self) -> Expr:
        return Conjunction(self.op, self.lhs.to_expr(), self.rhs.to_expr())  # type: ignore[arg-type]


def _operand(value: Any, other: Any) -> Binding:
    """A condition operand: a promise, or a constant held as a literal of its own type."""
    if isinstance(value, Promise):
        return value.ref
    from dockyard.sdk.types import TypeEngine

    tp = type(value) if value is not None else type(None)
    if value is None and isinstance(other, Promise):
        tp = other.python_type
    return Const(TypeEngine.to_literal(value, tp), tp)


# ---- bindings: how a value given to a node input is recorded ----------------------------------------------


def types_compatible(src: Any, dst: Any) -> bool:
    """Can a promise of type `src` feed an input of type `dst`? Strict, like flytekit (int is not float)."""
    if src == dst or dst is typing.Any:
        return True
    from dockyard.sdk.types import TypeEngine

    try:
        return TypeEngine.is_castable(src, dst)
    except Exception:
        return False


def has_promises(value: Any) -> bool:
    if isinstance(value, Promise | NodeHandle | ComparisonExpression):
        return True
    if isinstance(value, list | tuple):
        return any(has_promises(v) for v in value)
    if isinstance(value, dict):
        return any(has_promises(v) for v in value.values())
    return False


def bind(builder: GraphBuilder, value: Any, tp: Any, where: str) -> Binding:
    """Record `value` (a promise, a constant, or a list/dict mixing both) given to an input of type `tp`."""
    if isinstance(value, Promise):
        src = value.python_type
        if not types_compatible(src, tp):
            raise builder.error(f"{where} expects {type_name(tp)}, got type {type_name(src)}", value)
        if src == tp:
            return value.ref
        return Ref(value.ref.node, value.ref.output, src, tp)
    if isinstance(value, ComparisonExpression):
        raise builder.error(f"{where}: a condition cannot be passed as a value; use conditional()")
    if isinstance(value, NodeHandle):
        raise builder.error(f"{where}: node '{value.node_id}' has no outputs to pass")
    if has_promises(value):
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin is list and isinstance(value, list | tuple):
            return ListOf(tuple(bind(builder, v, args[0], f"{where}[{i}]") for i, v in enumerate(value)), tp)
        if origin is dict and isinstance(value, dict):
            return DictOf(
                tuple((k, bind(builder, v, args[1], f"{where}[{k!r}]")) for k, v in value.items()), tp
            )
        raise builder.error(f"{where} expects {type_name(tp)}, got a {type(value).__name__} holding promises")
    from dockyard.sdk.types import TypeEngine

    try:
        return Const(TypeEngine.to_literal(value, tp), tp)
    except Exception as exc:
        raise builder.error(f"{where}: {exc}") from None


def upstream_of(bindings: typing.Iterable[Binding | Expr | None]) -> list[str]:
    """Node ids that bindings or conditions read from (workflow inputs excluded), in first-seen order."""
    seen: dict[str, None] = {}
    for b in bindings:
        for ref in refs_in(b):
            if ref.node != INPUTS:
                seen.setdefault(ref.node, None)
    return list(seen)


def add_call(
    builder: GraphBuilder, kind: NodeKind, entity: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """Record a call of `entity` inside a workflow body; return its promises (or a handle if no outputs)."""
    iface = entity.interface
    if args:
        raise builder.error(
            f"{entity.name}: positional arguments are not supported inside a workflow; use keywords"
        )
    bindings: dict[str, Binding] = {}
    for key, value in kwargs.items():
        if key not in iface.inputs:
            known = ", ".join(iface.inputs) or "none"
            raise builder.error(f"{entity.name}: unknown input '{key}' (inputs: {known})")
        bindings[key] = bind(builder, value, iface.inputs[key], f"input '{key}' of {entity.name}")
    for key in iface.inputs:
        if key not in bindings:
            if key not in iface.defaults:
                raise builder.error(f"{entity.name}: missing input '{key}'")
            default = entity.default_binding(key)
            if default is not None:
                bindings[key] = default
    node = Node(builder.new_id(), kind, entity, bindings, upstream_of(bindings.values()))
    builder.add(node)
    return promises_for(builder, node.id, iface.outputs, iface.output_tuple, f"{kind} '{entity.name}'")


def promises_for(
    builder: GraphBuilder, node_id: str, outputs: dict[str, Any], tuple_type: Any, owner: str
) -> Any:
    if not outputs:
        return NodeHandle(node_id, builder)
    promises = [Promise(Ref(node_id, name, tp), builder, owner) for name, tp in outputs.items()]
    if tuple_type is None or len(promises) == 1:
        return promises[0]
    return tuple_type(*promises)
