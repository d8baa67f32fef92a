"""Tracing workflow bodies: promises stand for outputs that do not exist yet, and a builder records nodes.

While a workflow (or a dynamic task's body) is being compiled, a `GraphBuilder` is current in this thread;
calling a task then adds a node and returns promises instead of running it. Promises refuse everything that
would need a real value (`if`, `and`/`or`, `print`, `len`, attribute access, iteration) with a
`CompileError` that names the workflow, the line in the user's file and the promise.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import sys
import threading
import typing
from typing import Any

from dockyard.sdk.errors import (
    CompileError,
    MissingNodeInputError,
    PromiseUsageError,
    WorkflowAssertionError,
)
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
from dockyard.sdk.interface import is_namedtuple, step_type, type_name
from dockyard.sdk.types.errors import TypeTransformerFailedError

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


def path_text(path: tuple[Any, ...]) -> str:
    """`.a[0]['k']`: a promise path as Python would spell it."""
    return "".join(f".{k}" if isinstance(k, str) and k.isidentifier() else f"[{k!r}]" for k in path)


def current_builder() -> GraphBuilder | None:
    return getattr(_local, "builder", None)


class ConstantBindError(CompileError):
    """A constant given to a node's input cannot be serialised (e.g. a dataclass holding a promise)."""


class ConstantTypeError(CompileError, TypeTransformerFailedError):
    """A constant given to a node's input does not fit the input's type."""


# flytekit's names for these two, so `type(e).__name__` reads the same
ConstantBindError.__name__ = ConstantBindError.__qualname__ = "TypeError"
ConstantTypeError.__name__ = ConstantTypeError.__qualname__ = "TypeTransformerFailedError"


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

    def flytekit_error(
        self, cls: type[CompileError], what: str, promise: Promise | None = None
    ) -> CompileError:
        """An error flytekit also raises: its message on the first line, where it happened on the second."""
        about = f", on {promise.describe()}" if promise is not None else ""
        return cls(f"{what}\n  {self.kind} '{self.name}', line {user_line()}{about}")

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
        path = path_text(r.path)
        if r.node == INPUTS:
            return f"promise '{r.output}{path}' (workflow input)"
        return f"promise '{r.node}.{r.output}{path}' (output '{r.output}' of {self._owner})"

    def _fail(self, what: str) -> CompileError:
        return self._builder.flytekit_error(PromiseUsageError, what, self)

    # --- what a promise cannot do (flytekit's exception types; its message first, then where) ------------
    def __bool__(self) -> bool:
        raise self._fail(
            "Flytekit does not support Unary expressions or performing truth value testing, This is a "
            "limitation in python. For Logical `and\\or` use `&\\|` (bitwise) instead"
        )

    def __iter__(self) -> Any:
        raise self._fail(
            f" {self._ref.output} is a Promise. Promise objects are not iterable - can't range() over a "
            "promise. But you can use [index] or the alpha version of @eager workflows"
        )

    def __contains__(self, item: Any) -> bool:
        return bool(self.__iter__())

    # --- what a promise can do: print, and reach into its future value -----------------------------------
    def __repr__(self) -> str:
        """flytekit's form, e.g. `Promise(node:n0.o0.['a', 0])`; a workflow input has an empty node."""
        r = self._ref
        return f"Promise(node:{'' if r.node == INPUTS else r.node}.{r.output}.{list(r.path)})"

    __str__ = __repr__

    def __getattr__(self, name: str) -> Promise:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._step(name)

    def __getitem__(self, key: Any) -> Promise:
        return self._step(key)

    def _step(self, key: Any) -> Promise:
        """A promise of one attribute, item or key of this promise's value, resolved when the node has run."""
        r = self._ref
        tp = step_type(r.type, key)
        ref = Ref(r.node, r.output, tp, None, (*r.path, key), r.base_type if r.path else r.type)
        return Promise(ref, self._builder, self._owner)

    def __hash__(self) -> int:
        return id(self)

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
    """A node inside a workflow: what a call with no outputs returns, and what `create_node` returns (its
    outputs then read as attributes, `node.o0`, or from `node.outputs`); `>>` orders it."""

    __slots__ = ("_outputs", "builder", "node_id")

    def __init__(
        self, node_id: str, builder: GraphBuilder, outputs: dict[str, Promise] | None = None
    ) -> None:
        self.node_id = node_id
        self.builder = builder
        self._outputs = outputs or {}

    @property
    def outputs(self) -> dict[str, Promise]:
        return dict(self._outputs)

    def __getattr__(self, name: str) -> Promise:
        try:
            return self._outputs[name]
        except KeyError:
            raise AttributeError(f"Node {self.node_id} has no output named {name}") from None

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


def node_of(builder: GraphBuilder, result: Any) -> Node | None:
    """The node whose call returned `result` (promises or a handle)."""
    node_id = _node_id_of(result)
    return None if node_id is None else _find_node(builder, node_id)


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
        msg = (
            "Cannot perform truth value testing, This is a limitation in python. For Logical `and\\or` use "
            "`&\\|` (bitwise) instead; combine conditions with & and |"
        )
        builder = current_builder()
        if builder is None:
            raise PromiseUsageError(msg)
        p = self.lhs if isinstance(self.lhs, Promise) else None
        raise builder.flytekit_error(PromiseUsageError, msg, p)

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


def _holds_promise(value: Any) -> bool:
    """A dataclass constant with a promise in a field: flytekit cannot serialise it (a plain TypeError)."""
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return False
    fields = [getattr(value, f.name) for f in dataclasses.fields(value)]
    return any(isinstance(v, Promise) or _holds_promise(v) for v in fields)


def bind(builder: GraphBuilder, value: Any, tp: Any, where: str) -> Binding:
    """Record `value` (a promise, a constant, or a list/dict mixing both) given to an input of type `tp`."""
    if getattr(type(value), "single_output", False):
        value = value[0]
    if isinstance(value, Promise):
        src = value.python_type
        if value.ref.path and (src is typing.Any or src == tp):  # known once the path is resolved
            return dataclasses.replace(value.ref, convert_to=None if src == tp else tp)
        if not types_compatible(src, tp):
            raise builder.error(f"{where} expects {type_name(tp)}, got type {type_name(src)}", value)
        if src == tp:
            return value.ref
        return dataclasses.replace(value.ref, convert_to=tp)
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
        error = builder.error(f"{where}: {exc}")
        error.constant_cause = exc  # type: ignore[attr-defined]  # a node's input: flytekit's words
        raise error from None


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
    names = list(iface.inputs)
    if len(args) > len(names):
        raise builder.error(f"{entity.name}: takes {len(names)} inputs, got {len(args)} positional arguments")
    given = dict(zip(names, args, strict=False))
    for key, value in kwargs.items():
        if key not in iface.inputs:
            raise builder.flytekit_error(
                WorkflowAssertionError,
                f"Received unexpected keyword argument '{key}' in function '{entity.name}'",
            )
        if key in given:
            raise builder.error(f"{entity.name}: input '{key}' given twice")
        given[key] = value
    for key, value in getattr(entity, "bound_values", {}).items():  # a map_task's functools.partial
        given.setdefault(key, value)
    bindings: dict[str, Binding] = {}
    for key, value in given.items():
        try:
            bindings[key] = bind(builder, value, iface.inputs[key], f"input '{key}' of {entity.name}")
        except CompileError as exc:
            cause = getattr(exc, "constant_cause", None)
            if cause is None:
                raise
            typed = isinstance(cause, TypeTransformerFailedError) and not _holds_promise(value)
            raise builder.flytekit_error(
                ConstantTypeError if typed else ConstantBindError,
                f"Failed to Bind variable '{key}' for function '{entity.name}':\n  {cause}",
            ) from None
    for key in iface.inputs:
        if key not in bindings:
            if key not in iface.defaults:
                raise builder.flytekit_error(
                    MissingNodeInputError,
                    f"Input {key} of type {iface.inputs[key]} was not specified for function {entity.name}",
                )
            default = entity.default_binding(key)
            if default is not None:
                bindings[key] = default
    if kind == "workflow":
        _ = entity.graph  # a sub-workflow is compiled with its parent, as flytekit does
    node = Node(builder.new_id(), kind, entity, bindings, upstream_of(bindings.values()))
    builder.add(node)
    return promises_for(builder, node.id, iface.outputs, iface.output_tuple, f"{kind} '{entity.name}'")


def promises_for(
    builder: GraphBuilder, node_id: str, outputs: dict[str, Any], tuple_type: Any, owner: str
) -> Any:
    if not outputs:
        return NodeHandle(node_id, builder)
    promises = [Promise(Ref(node_id, name, tp), builder, owner) for name, tp in outputs.items()]
    if tuple_type is None:
        return promises[0]
    if len(promises) == 1:  # a one-field NamedTuple: flytekit hands back `Output(field=promise)`
        return _single_output(tuple(outputs))(*promises) if is_namedtuple(tuple_type) else promises[0]
    return tuple_type(*promises)


@functools.cache
def _single_output(names: tuple[str, ...]) -> Any:
    output = collections.namedtuple("Output", names)  # type: ignore[misc]
    output.single_output = True  # type: ignore[attr-defined]  # bind() takes its one promise
    return output
