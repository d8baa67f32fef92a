"""One execution's DAG for the page: the graph document kept beside the record (`runtime.record.load_graph`)
with each node's phase from the record.

Node ids are the record's: a workflow's nodes are `n0-<id>`, a sub-workflow's or a dynamic body's nodes get
their parent's id and `-` before theirs, a map task's items are `<map node>-<i>` (counted as the map node's
progress, not drawn), and a conditional's nodes keep the scope of the conditional. The case whose nodes
appear in the record is the branch taken; the nodes of the other cases are `skipped`.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel

from dockyard.errors import StoreError
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.phase import Phase
from dockyard.runtime.protocol import DYNAMIC, map_inputs_uri
from dockyard.runtime.record import ExecutionRecord, load_graph

ROOT = "n0"  # the walker's id of the entity an execution runs
DONE = {Phase.SUCCEEDED, Phase.CACHED}


def _failed(phase: Phase) -> bool:
    """Ended without outputs: failed, timed out, preempted or aborted."""
    return phase.final and phase not in DONE and phase is not Phase.SKIPPED


class MapProgress(BaseModel):
    total: int | None  # None when the map node's inputs are not stored yet
    succeeded: int
    failed: int
    running: int


class DagNode(BaseModel):
    id: str
    label: str
    kind: Literal["task", "workflow", "dynamic", "map", "branch"]
    phase: str
    parent: str | None = None  # the branch, dynamic node or sub-workflow it belongs to
    case: str | None = None  # for a conditional's nodes: "taken" or "skipped"
    task: str | None = None
    attempts: int = 0
    progress: MapProgress | None = None
    bound: list[str] = []  # a map task's inputs given whole to every item


class DagEdge(BaseModel):
    source: str
    target: str
    kind: Literal["data", "order", "case", "contains"]
    label: str = ""


class Dag(BaseModel):
    nodes: list[DagNode]
    edges: list[DagEdge]


def build_dag(store: Store, record: ExecutionRecord) -> Dag:
    builder = _Builder(store, record)
    graph = load_graph(store, record.execution_id)
    if graph is None:  # a single task (map or dynamic task too)
        node = record.nodes.get(ROOT)
        kind = "task"
        if any(_is_item(n, ROOT) for n in record.nodes):
            kind = "map"
        builder.add(ROOT, {"id": ROOT, "kind": kind, "entity": node.task if node else record.workflow}, "")
        if node is not None and (node.outputs_uri or "").endswith(DYNAMIC):
            builder.nodes[-1].kind = "dynamic"
            builder.expand_dynamic(ROOT, node.outputs_uri or "")
    else:
        builder.walk(graph["nodes"], f"{ROOT}-", None, None)
    return Dag(nodes=builder.nodes, edges=builder.edges)


def _is_item(node_id: str, parent: str) -> bool:
    return re.fullmatch(re.escape(parent) + r"-\d+", node_id) is not None


def _short(ref: str | None) -> str:
    """`module:name` → name (a dynamic body's or a registered graph's entity reference)."""
    return (ref or "").rpartition(":")[2].rpartition(".")[2]


class _Builder:
    def __init__(self, store: Store, record: ExecutionRecord) -> None:
        self.store = store
        self.record = record
        self.finished = record.phase is not Phase.RUNNING
        self.nodes: list[DagNode] = []
        self.edges: list[DagEdge] = []

    def walk(
        self, docs: list[dict[str, Any]], prefix: str, parent: str | None, case: str | None
    ) -> list[str]:
        """Add the nodes of one graph (or one case) under `prefix`; returns their ids."""
        ids = []
        for doc in docs:
            node_id = prefix + doc["id"]
            ids.append(node_id)
            self.add(node_id, doc, prefix, parent, case)
            conditions = [case.get("condition") for case in doc.get("branch", {}).get("cases", [])]
            sources = {ref[0] for ref in _refs([doc.get("inputs", {}), conditions]) if ref[0] != "$inputs"}
            for up in doc.get("upstream", []):
                kind: Literal["data", "order"] = "data" if up in sources else "order"
                self.edges.append(DagEdge(source=prefix + up, target=node_id, kind=kind))
        return ids

    def add(
        self,
        node_id: str,
        doc: dict[str, Any],
        prefix: str,
        parent: str | None = None,
        case: str | None = None,
    ) -> None:
        kind = doc["kind"]
        rec = self.record.nodes.get(node_id)
        node = DagNode(
            id=node_id,
            label=_short(doc.get("entity")) or node_id,
            kind=kind,
            phase=rec.phase.value if rec is not None else Phase.PENDING.value,
            parent=parent,
            case=case,
            task=rec.task if rec is not None else None,
            attempts=len(rec.attempts) if rec is not None else 0,
        )
        self.nodes.append(node)
        if kind == "map":
            node.bound = list(doc.get("map", {}).get("bound", []))
            node.progress = self.map_progress(node_id)
            node.phase = self.map_phase(node.progress, doc.get("map", {}))
        elif kind == "dynamic" and rec is not None and (rec.outputs_uri or "").endswith(DYNAMIC):
            self.expand_dynamic(node_id, rec.outputs_uri or "")
        elif kind == "workflow":
            node.phase = self.aggregate(f"{node_id}-")
        elif kind == "branch":
            self.add_branch(node, doc["branch"], prefix)
        if case == "skipped":
            node.phase = Phase.SKIPPED.value

    def add_branch(self, node: DagNode, branch: dict[str, Any], prefix: str) -> None:
        node.label = branch.get("name") or node.label
        cases = branch.get("cases", [])
        taken = next(
            (
                i
                for i, c in enumerate(cases)
                if any(prefix + n["id"] in self.record.nodes for n in c["nodes"])
            ),
            None,
        )
        for i, case in enumerate(cases):
            decided = taken is not None or self.finished
            state = "taken" if i == taken else ("skipped" if decided else None)
            ids = self.walk(case["nodes"], prefix, node.id, state)
            label = "else" if case.get("condition") is None else f"case {i + 1}"
            inside = {n["id"] for n in case["nodes"]}
            for node_id, doc in zip(ids, case["nodes"], strict=True):
                if not any(u in inside for u in doc.get("upstream", [])):
                    self.edges.append(DagEdge(source=node.id, target=node_id, kind="case", label=label))
        node.phase = self.aggregate_ids(
            [n.id for n in self.nodes if n.parent == node.id and n.case == "taken"]
        )
        if taken is None and self.finished:
            node.phase = Phase.SKIPPED.value if not cases else self.record.phase.value

    def expand_dynamic(self, node_id: str, uri: str) -> None:
        try:
            sub = self.store.read_json(uri)
        except StoreError:
            return
        ids = self.walk(sub.get("nodes", []), f"{node_id}-", node_id, None)
        inside = {n["id"] for n in sub.get("nodes", [])}
        for child, doc in zip(ids, sub.get("nodes", []), strict=True):
            if not any(u in inside for u in doc.get("upstream", [])):
                self.edges.append(DagEdge(source=node_id, target=child, kind="contains"))

    def map_progress(self, node_id: str) -> MapProgress:
        items = [n for i, n in self.record.nodes.items() if _is_item(i, node_id)]
        return MapProgress(
            total=self.map_total(node_id),
            succeeded=sum(n.phase in DONE for n in items),
            failed=sum(_failed(n.phase) for n in items),
            running=sum(n.phase is Phase.RUNNING for n in items),
        )

    def map_total(self, node_id: str) -> int | None:
        """The number of items: the length of the mapped (not bound) lists in the map node's inputs."""
        from dockyard.sdk.types.literal import literals_from_json

        uri = map_inputs_uri(self.store, self.record.execution_id, node_id)
        try:
            literals = literals_from_json(self.store.read_bytes(uri).decode())
        except StoreError:
            return None
        lengths = [len(lit["list"]) for lit in literals.values() if isinstance(lit.get("list"), list)]
        return min(lengths) if lengths else None

    def map_phase(self, p: MapProgress, spec: dict[str, Any]) -> str:
        done = p.succeeded + p.failed
        if done == 0 and p.running == 0:
            return Phase.PENDING.value
        if p.total is None or done < p.total:
            return Phase.FAILED.value if self.finished else Phase.RUNNING.value
        ratio = float(spec.get("min_success_ratio") or 1.0)
        return Phase.SUCCEEDED.value if p.succeeded >= ratio * p.total else Phase.FAILED.value

    def aggregate(self, prefix: str) -> str:
        return self.aggregate_ids([i for i in self.record.nodes if i.startswith(prefix)])

    def aggregate_ids(self, ids: list[str]) -> str:
        """One phase for a group of nodes: failed, running, succeeded, or pending when none ran."""
        phases = {self.record.nodes[i].phase for i in ids if i in self.record.nodes}
        if not phases:
            return Phase.PENDING.value
        if any(_failed(p) for p in phases):
            return Phase.FAILED.value
        if Phase.RUNNING in phases:
            return Phase.RUNNING.value
        if phases <= DONE | {Phase.SKIPPED}:
            return Phase.SUCCEEDED.value
        return (Phase.FAILED if self.finished else Phase.RUNNING).value


def _refs(binding: Any) -> list[list[Any]]:
    """Every `ref` inside a node's input bindings (graph document form, docs/graph.md)."""
    if isinstance(binding, dict):
        if "ref" in binding:
            return [binding["ref"]]
        return [r for value in binding.values() for r in _refs(value)]
    if isinstance(binding, list):
        return [r for value in binding for r in _refs(value)]
    return []


def map_of(dag: Dag, node_id: str) -> DagNode | None:
    """The map node `node_id` is an item of, if it is one."""
    parent, _, index = node_id.rpartition("-")
    found = next((n for n in dag.nodes if n.id == parent and n.kind == "map"), None)
    return found if index.isdigit() else None
