"""The compiled workflow graph: what local execution walks and what the runtime's orchestrator walks remotely.

A `Graph` is nodes with ids, kinds, input bindings and upstream ids, plus the workflow's output bindings.
Bindings are constants (already literals), references to `(node_id, output)` or collections of bindings.
The in-memory form keeps Python types and entity objects; `to_json`/`from_json` give the versioned document
described in docs/graph.md, where entities are referenced as `module:name` and resolved with `load_entity`.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Union

GRAPH_SCHEMA = "dockyard.graph/v1"
INPUTS = "$inputs"  # the pseudo node whose outputs are the workflow's inputs

NodeKind = Literal["task", "workflow", "dynamic", "map", "branch"]


@dataclass(frozen=True)
class Ref:
    """The output `output` of node `node` (or workflow input `output` when node is `$inputs`)."""

    node: str
    output: str
    type: Any = None
    convert_to: Any = None  # set when the consumer's type differs (e.g. T into Optional[T])
    path: tuple[Any, ...] = ()  # attributes, indices and keys into the output's value (`out.a[0]["k"]`)
    base_type: Any = None  # the output's own type when there is a path (`type` is then the path's end)


@dataclass(frozen=True)
class Const:
    """A value fixed at compile time, held as a literal."""

    literal: Any
    type: Any = None


@dataclass(frozen=True)
class ListOf:
    """A list whose items are bindings, e.g. promises collected in a Python list in a dynamic body."""

    items: tuple[Binding, ...]
    type: Any = None  # the list type


@dataclass(frozen=True)
class DictOf:
    items: tuple[tuple[str, Binding], ...]
    type: Any = None  # the dict type


Binding = Union[Ref, Const, ListOf, DictOf]  # noqa: UP007 - a runtime alias, also on Python 3.10


@dataclass(frozen=True)
class Comparison:
    """`lhs <op> rhs` with op in eq, ne, lt, le, gt, ge; or a unary `is_none` (rhs unused)."""

    op: str
    lhs: Binding
    rhs: Binding | None = None


@dataclass(frozen=True)
class Conjunction:
    op: Literal["and", "or"]
    lhs: Expr
    rhs: Expr


Expr = Union[Comparison, Conjunction]  # noqa: UP007


@dataclass
class Case:
    """One arm of a conditional: a condition (None for else), its nodes, and either outputs or a failure."""

    condition: Expr | None
    nodes: list[Node] = field(default_factory=list)
    outputs: dict[str, Binding] = field(default_factory=dict)
    fail: str | None = None


@dataclass
class Branch:
    name: str
    cases: list[Case] = field(default_factory=list)
    output_types: dict[str, Any] = field(default_factory=dict)


@dataclass
class Node:
    id: str
    kind: NodeKind
    entity: Any  # PythonTask, WorkflowBase, DynamicTask or MapTask; None for a branch
    inputs: dict[str, Binding] = field(default_factory=dict)
    upstream: list[str] = field(default_factory=list)
    branch: Branch | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    launch_plan: Any = None  # the LaunchPlan a workflow node was called through (FlyteIDL's launchplanRef)

    @property
    def name(self) -> str:
        return self.branch.name if self.branch is not None else self.entity.name


@dataclass
class Graph:
    """A workflow body (or a dynamic task's sub-DAG): nodes in creation order, and output bindings."""

    name: str
    nodes: list[Node] = field(default_factory=list)
    outputs: dict[str, Binding] = field(default_factory=dict)
    input_types: dict[str, Any] = field(default_factory=dict)
    output_types: dict[str, Any] = field(default_factory=dict)

    def all_nodes(self) -> Iterator[Node]:
        """Every node, including those inside conditional branches."""
        for node in self.nodes:
            yield node
            if node.branch is not None:
                for case in node.branch.cases:
                    yield from Graph(self.name, case.nodes).all_nodes()


def refs_in(binding: Binding | Expr | None) -> Iterator[Ref]:
    """Every reference inside a binding or a condition."""
    if binding is None or isinstance(binding, Const):
        return
    if isinstance(binding, Ref):
        yield binding
    elif isinstance(binding, ListOf):
        for item in binding.items:
            yield from refs_in(item)
    elif isinstance(binding, DictOf):
        for _, item in binding.items:
            yield from refs_in(item)
    else:  # a Comparison or a Conjunction
        yield from refs_in(binding.lhs)
        yield from refs_in(binding.rhs)


# ---- the JSON document -------------------------------------------------------------------------------------


def entity_ref(entity: Any) -> str:
    """`module:name` for an entity, loadable with `dockyard.sdk.entities.load_entity`."""
    return f"{entity.module}:{entity.short_name}"


def _type_doc(tp: Any) -> Any:
    from dockyard.sdk.types import TypeEngine

    return TypeEngine.literal_type(tp)


def _binding_doc(b: Binding | None) -> Any:
    if b is None:
        return None
    if isinstance(b, Ref):
        doc: dict[str, Any] = {"ref": [b.node, b.output]}
        if b.path:  # the reader finds the types again from the producer's interface
            doc["path"] = list(b.path)
        if b.convert_to is not None:
            # a conversion (T into Optional[T], a union variant...): its types let a reader rebuild it
            doc["type"], doc["convert_to"] = _type_doc(b.type), _type_doc(b.convert_to)
        return doc
    if isinstance(b, Const):
        return {"literal": b.literal}
    if isinstance(b, ListOf):
        return {"list": [_binding_doc(i) for i in b.items]}
    return {"map": {k: _binding_doc(v) for k, v in b.items}}


def _expr_doc(e: Expr) -> Any:
    if isinstance(e, Comparison):
        return {"op": e.op, "lhs": _binding_doc(e.lhs), "rhs": _binding_doc(e.rhs)}
    return {"op": e.op, "lhs": _expr_doc(e.lhs), "rhs": _expr_doc(e.rhs)}


def _node_doc(n: Node) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": n.id,
        "kind": n.kind,
        "inputs": {k: _binding_doc(v) for k, v in n.inputs.items()},
        "upstream": list(n.upstream),
    }
    if n.kind == "map":
        mt = n.entity
        doc["entity"] = entity_ref(mt.task)
        doc["map"] = {
            "concurrency": mt.concurrency,
            "min_success_ratio": mt.min_success_ratio,
            "bound": sorted(mt.bound_names),
        }
    elif n.branch is not None:
        doc["branch"] = {
            "name": n.branch.name,
            "outputs": {k: _type_doc(t) for k, t in n.branch.output_types.items()},
            "cases": [
                {
                    "condition": None if c.condition is None else _expr_doc(c.condition),
                    "nodes": [_node_doc(x) for x in c.nodes],
                    "outputs": {k: _binding_doc(v) for k, v in c.outputs.items()},
                    "fail": c.fail,
                }
                for c in n.branch.cases
            ],
        }
    else:
        doc["entity"] = entity_ref(n.entity)
    if n.overrides:
        doc["overrides"] = {k: repr(v) for k, v in n.overrides.items()}
    return doc


def to_json(graph: Graph) -> dict[str, Any]:
    """The versioned, JSON-serialisable document of a graph (see docs/graph.md)."""
    return {
        "schema": GRAPH_SCHEMA,
        "name": graph.name,
        "inputs": {k: _type_doc(t) for k, t in graph.input_types.items()},
        "outputs": {k: _binding_doc(v) for k, v in graph.outputs.items()},
        "output_types": {k: _type_doc(t) for k, t in graph.output_types.items()},
        "nodes": [_node_doc(n) for n in graph.nodes],
    }


def from_json(
    doc: dict[str, Any],
    resolve: Callable[[str], Any] | None = None,
    output_types: dict[str, Any] | None = None,
    input_types: dict[str, Any] | None = None,
) -> Graph:
    """Rebuild a graph from its document; entities are loaded with `resolve` (default: `load_entity`).

    A reference that converts its value gets its Python types back from the interfaces of the entities
    at both ends (`input_types` for the graph's inputs, `output_types` for its outputs), checked against
    the document's literal types: the walker then converts exactly as it does for the traced graph.
    """
    from dockyard.errors import ConfigError

    if doc.get("schema") != GRAPH_SCHEMA:
        raise ConfigError(f"graph document: schema {doc.get('schema')!r} is not {GRAPH_SCHEMA!r}")
    if resolve is None:
        from dockyard.sdk.entities import load_entity

        resolve = load_entity

    def binding(d: Any) -> Binding:
        if "ref" in d:
            path = tuple(d.get("path", ()))
            if "convert_to" in d or path:
                return _PendingRef(d["ref"][0], d["ref"][1], d.get("type"), d.get("convert_to"), path)
            return Ref(d["ref"][0], d["ref"][1])
        if "literal" in d:
            return Const(d["literal"])
        if "list" in d:
            return ListOf(tuple(binding(i) for i in d["list"]))
        return DictOf(tuple((k, binding(v)) for k, v in d["map"].items()))

    def expr(d: dict[str, Any]) -> Expr:
        if d["op"] in ("and", "or"):
            return Conjunction(d["op"], expr(d["lhs"]), expr(d["rhs"]))
        return Comparison(d["op"], binding(d["lhs"]), None if d["rhs"] is None else binding(d["rhs"]))

    def node(d: dict[str, Any]) -> Node:
        n = Node(
            d["id"], d["kind"], None, {k: binding(v) for k, v in d["inputs"].items()}, list(d["upstream"])
        )
        if d["kind"] == "map":
            from dockyard.sdk.map_task import MapTask

            m = d["map"]
            n.entity = MapTask(resolve(d["entity"]), m["concurrency"], m["min_success_ratio"], m["bound"])
        elif "branch" in d:
            b = d["branch"]
            n.branch = Branch(b["name"], output_types=dict(b["outputs"]))  # literal types: no Python ones
            for c in b["cases"]:
                n.branch.cases.append(
                    Case(
                        None if c["condition"] is None else expr(c["condition"]),
                        [node(x) for x in c["nodes"]],
                        {k: binding(v) for k, v in c["outputs"].items()},
                        c["fail"],
                    )
                )
        else:
            n.entity = resolve(d["entity"])
        return n

    graph = Graph(
        doc["name"],
        [node(x) for x in doc["nodes"]],
        {k: binding(v) for k, v in doc["outputs"].items()},
    )
    _type_refs(graph, input_types or {}, output_types or {})
    return graph


@dataclass(frozen=True)
class _PendingRef(Ref):
    """A converting reference read from a document: literal types, until `_type_refs` finds Python ones."""


def _type_refs(graph: Graph, input_types: dict[str, Any], output_types: dict[str, Any]) -> None:
    """Replace every `_PendingRef` with a `Ref` whose Python types come from the entities' interfaces."""
    from dockyard.errors import ConfigError

    producers = {n.id: n for n in graph.all_nodes()}

    def typed(b: Binding, dst: Any, where: str) -> Binding:
        if isinstance(b, ListOf | DictOf):
            args = typing.get_args(dst)
            item = args[-1] if args else None
            if isinstance(b, ListOf):
                return ListOf(tuple(typed(i, item, f"{where}[{k}]") for k, i in enumerate(b.items)), dst)
            return DictOf(tuple((k, typed(v, item, f"{where}[{k!r}]")) for k, v in b.items), dst)
        if not isinstance(b, _PendingRef):
            return b
        producer = producers.get(b.node)
        src = input_types.get(b.output) if b.node == INPUTS else None
        if producer is not None and producer.entity is not None:
            src = producer.entity.interface.outputs.get(b.output)
        base = src
        if b.path and src is not None:
            from dockyard.sdk.interface import step_type

            for key in b.path:
                src = step_type(src, key)
        converts = b.convert_to is not None
        if src is None or (
            converts and (dst is None or _type_doc(src) != b.type or _type_doc(dst) != b.convert_to)
        ):
            raise ConfigError(
                f"graph document {graph.name}: {where}: the types of {b.node}.{b.output} do not match "
                "the loaded code (was it changed since the graph was written?)"
            )
        return Ref(b.node, b.output, src, dst if converts else None, b.path, base if b.path else None)

    for n in graph.all_nodes():
        if n.branch is not None:  # a case's outputs have literal types only: a conversion there is refused
            for case in n.branch.cases:
                case.outputs = {
                    k: typed(v, None, f"conditional {n.branch.name} output '{k}'")
                    for k, v in case.outputs.items()
                }
        if n.entity is None:
            continue
        types = n.entity.interface.inputs
        n.inputs = {k: typed(v, types.get(k), f"node {n.id} input '{k}'") for k, v in n.inputs.items()}
    graph.outputs = {k: typed(v, output_types.get(k), f"output '{k}'") for k, v in graph.outputs.items()}
    graph.input_types = dict(input_types)
    graph.output_types = dict(output_types)
