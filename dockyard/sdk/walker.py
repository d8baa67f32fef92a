"""Executing a compiled graph with a pluggable task runner: locally in process, or remotely in containers.

The walker owns what is the same everywhere: dependency order, running independent nodes in parallel,
conditions, dynamic sub-graphs, map items with their concurrency limit and success ratio, retries and the
cache catalog. A `TaskRunner` owns one attempt of one task: `LocalTaskRunner` calls the function in this
process; the runtime's runner launches a container.

A linear chain runs inline in the caller's thread; a thread pool is started only when two nodes are ready
at once, so small graphs pay no thread hand-offs.
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import logging
import queue
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from dockyard.sdk.errors import CompileError, ConditionalFailure, InterfaceError, NonRetryable
from dockyard.sdk.graph import INPUTS, Binding, Comparison, Const, DictOf, Expr, Graph, ListOf, Node, Ref

Literal = Any  # a literal of dockyard.sdk.types (JSON-able)
DEFAULT_MAP_CONCURRENCY = 16  # items of a map at once when it names no concurrency
log = logging.getLogger("dockyard")


@dataclass(frozen=True)
class AttemptInfo:
    """Which attempt of which node this is; the runner derives checkpoint and sandbox paths from it."""

    execution_id: str
    node_id: str
    attempt: int  # 0-based
    retries: int  # how many retries the task allows in all


@dataclass(frozen=True)
class Event:
    """Progress the walker reports: kind is cache_hit, cache_put, retry or map_failure."""

    kind: str
    node_id: str
    task: str
    detail: str = ""


class TaskRunner(Protocol):
    def run(
        self, task: Any, node_id: str, inputs: dict[str, Literal], attempt: AttemptInfo
    ) -> dict[str, Literal]:
        """Run one attempt of a task and return its output literals; raise on failure."""
        ...

    def run_dynamic(self, task: Any, node_id: str, inputs: dict[str, Literal], attempt: AttemptInfo) -> Graph:
        """Run a dynamic task's body and return the sub-graph it built (node ids prefixed by node_id)."""
        ...


class Catalog(Protocol):
    """Where cached task outputs live: SQLite locally, the blob store remotely."""

    def get(self, key: str) -> dict[str, Literal] | None: ...

    def put(self, key: str, task_name: str, outputs: dict[str, Literal]) -> None: ...


_NO_RETRY: tuple[type[BaseException], ...] = (NonRetryable, CompileError, InterfaceError, ConditionalFailure)


def name_task_in_error(exc: BaseException, task_name: str) -> BaseException:
    """Keep the exception's type, put the task name in its message (flytekit's local behaviour).

    A message whose first line already names the task (flytekit's "Failed to convert outputs of task 'x'")
    is left as it is, as flytekit leaves it."""
    prefix = f"Error encountered while executing '{task_name}':"
    first = str(exc.args[0]) if exc.args else ""
    if not first.startswith(prefix) and f"'{task_name}'" not in first.split("\n", 1)[0]:
        with contextlib.suppress(Exception):  # exotic exceptions with read-only args
            exc.args = (f"{prefix}\n  {exc}", *exc.args[1:])
    return exc


class _Scope:
    """Node outputs visible to bindings: this graph's, then the enclosing ones' (for branch cases)."""

    __slots__ = ("outputs", "parent", "prefix")

    def __init__(self, parent: _Scope | None = None, prefix: str = "") -> None:
        self.outputs: dict[str, dict[str, Literal]] = {}
        self.parent = parent
        # a sub-workflow's nodes run as `<its node id>-<node id>`: ids stay unique in the execution
        self.prefix: str = prefix if parent is None else parent.prefix

    def lookup(self, node: str, output: str) -> Literal:
        scope: _Scope | None = self
        while scope is not None:
            found = scope.outputs.get(node)
            if found is not None:
                return found[output]
            scope = scope.parent
        raise KeyError(f"node {node} has not produced output {output}")


_NONE_LITERAL = {"none": None}


def _primitive(lit: Literal) -> Any:
    """The Python value of a primitive literal without knowing its type (for conditions)."""
    from dockyard.sdk.types.literal import kind_of

    kind = kind_of(lit)
    value = lit[kind]
    if kind == "float" and isinstance(value, str):
        return float(value)
    if kind == "datetime":
        from datetime import datetime

        return datetime.fromisoformat(value)
    return value


def _items(lit: Literal, where: str) -> list[Literal]:
    """The item literals of a list literal."""
    items = lit.get("list") if isinstance(lit, dict) else None
    if not isinstance(items, list):
        raise InterfaceError(f"{where}: expected a list, got {lit!r:.80}")
    return items


def _plain(value: Any) -> Any:
    """A dataclass or pydantic model as the dict flytekit shows in a path error."""
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    dump = getattr(value, "model_dump", None)
    return dump() if callable(dump) else value


def _path_error(ref: Ref, prefix: str, what: str, why: object) -> Exception:
    from dockyard.sdk.exceptions import FlytePromiseAttributeResolveException

    where = "workflow input" if ref.node == INPUTS else f"node {prefix}{ref.node}"
    return FlytePromiseAttributeResolveException(
        f"{what}\nError Message: {why} (output '{ref.output}' of {where})"
    )


def follow_path(lit: Literal, ref: Ref, prefix: str = "") -> Literal:
    """The literal at `ref.path` inside the output literal `lit`, of type `ref.type`. As flytekit does, list
    and map literals are stepped into directly; at the first other value (a dataclass, a model...) the rest
    of the path runs on the Python value: a string step is a key of a dict and an attribute of anything
    else, an int step an index. A step that is not there raises flytekit's error (its first line), with the
    node on the second."""
    from dockyard.sdk.interface import step_type
    from dockyard.sdk.types import TypeEngine

    tp, used = ref.base_type, 0
    for key in ref.path:
        items = lit.get("list", lit.get("map")) if isinstance(lit, dict) else None
        if items is None:
            break
        shown = (
            f"Failed to resolve attribute path {list(ref.path)} in promise "
            f"Resolved({ref.output}=Flyte Serialized object (Literal):"
        )
        try:
            lit = items[key]
        except (LookupError, TypeError) as exc:
            raise _path_error(ref, prefix, shown, repr(exc)) from None
        tp, used = step_type(tp, key), used + 1
    rest = ref.path[used:]
    if not rest:
        return lit
    value = TypeEngine.to_python(lit, tp)
    for key in rest:
        try:
            value = (
                getattr(value, key) if isinstance(key, str) and not isinstance(value, dict) else value[key]
            )
        except (AttributeError, LookupError, TypeError) as exc:
            shown = (
                f"Failed to resolve attribute path {list(rest)} in dict `{_plain(value)}`, "
                f"attribute `{key}` not found."
            )
            raise _path_error(ref, prefix, shown, exc) from None
    return TypeEngine.to_literal(value, ref.type)


class Walker:
    """Runs graphs and entities; one walker per execution."""

    def __init__(
        self,
        runner: TaskRunner,
        *,
        execution_id: str | None = None,
        catalog: Catalog | None = None,
        overwrite_cache: bool = False,
        max_workers: int = 8,
        default_map_concurrency: int = DEFAULT_MAP_CONCURRENCY,
        on_event: Callable[[Event], None] | None = None,
        retrace: bool = False,
    ) -> None:
        self.runner = runner
        self.execution_id = execution_id or f"local-{uuid.uuid4().hex[:12]}"
        self.catalog = catalog
        self.overwrite_cache = overwrite_cache
        self.max_workers = max_workers
        self.default_map_concurrency = default_map_concurrency
        self.on_event = on_event
        # local runs trace a workflow's body again for each run, as flytekit runs the body on each local
        # call (its print()s and other side effects happen as often); remote runs walk the compiled graph
        self.retrace = retrace

    def _emit(self, kind: str, node_id: str, task: str, detail: str = "") -> None:
        if kind == "cache_hit":
            log.info("cache hit: task %s (node %s)", task, node_id)
        if self.on_event is not None:
            self.on_event(Event(kind, node_id, task, detail))

    # ---- entities ---------------------------------------------------------------------------------------
    def execute(self, entity: Any, inputs: dict[str, Literal]) -> dict[str, Literal]:
        """Run an entity as a whole execution: a workflow's nodes keep their ids (n0, n1...), any other
        entity runs as node `n0`."""
        if entity.node_kind != "workflow":
            return self.run_entity(entity, "n0", inputs)
        return self._run_workflow(entity, inputs, "")

    def _run_workflow(self, entity: Any, inputs: dict[str, Literal], prefix: str) -> dict[str, Literal]:
        """A workflow's nodes (ids prefixed as a sub-workflow's are), or its mock; when they fail, its
        `on_failure` handler runs (a sub-workflow's too, as in flytekit) and the failure is re-raised."""
        if entity.mock is not None:
            return self._run_mock(entity, inputs)
        graph = self._graph_of(entity)  # a compile error is no failure of the run: no handler for it
        try:
            return self.run_graph(graph, inputs, prefix=prefix, finish_on_failure=entity.finish_on_failure)
        except Exception as exc:
            if entity.on_failure is not None:
                self._on_failure(entity.on_failure, inputs, exc, prefix)
            raise

    def _run_mock(self, workflow: Any, inputs: dict[str, Literal]) -> dict[str, Literal]:
        """A workflow under `testing.task_mock`/`patch` runs the mock instead of its nodes, as flytekit
        mocks the whole workflow's execution; the mock gets Python values and returns the outputs."""
        from dockyard.sdk.execute import output_literals, python_inputs

        return output_literals(workflow, workflow.mock(**python_inputs(workflow, inputs)))

    def _graph_of(self, workflow: Any) -> Graph:
        graph: Graph = workflow.graph  # compiled once, on first use
        return workflow.trace() if self.retrace else graph

    def _on_failure(self, handler: Any, inputs: dict[str, Literal], exc: Exception, prefix: str) -> None:
        """Run a workflow's `on_failure` handler (node `fn0`, as flytekit names it) with the inputs it
        declares among the workflow's and `err`, a FlyteError of the failure; the caller re-raises."""
        from dockyard.sdk.types import TypeEngine
        from dockyard.sdk.types.error import FlyteError

        given = {k: v for k, v in inputs.items() if k in handler.interface.inputs}
        err_type = handler.interface.inputs.get("err")
        if err_type is not None:
            given["err"] = TypeEngine.to_literal(FlyteError(message=str(exc), failed_node_id="fn0"), err_type)
        self.run_entity(handler, f"{prefix}fn0", given)

    def run_entity(self, entity: Any, node_id: str, inputs: dict[str, Literal]) -> dict[str, Literal]:
        """Run any entity by kind with input literals; return output literals."""
        kind = entity.node_kind
        if kind == "task":
            return self.run_task(entity, node_id, inputs)
        if kind == "workflow":
            return self._run_workflow(entity, inputs, f"{node_id}-")
        if kind == "dynamic":
            return self._cached(entity, node_id, inputs, lambda: self._run_dynamic(entity, node_id, inputs))
        if kind == "map":
            return self.run_map(entity, node_id, inputs)
        raise InterfaceError(f"node {node_id}: cannot run a {type(entity).__name__} ({kind!r})")

    def run_task(self, task: Any, node_id: str, inputs: dict[str, Literal]) -> dict[str, Literal]:
        """One task node: the cache, then attempts up to `retries + 1`."""
        return self._cached(
            task,
            node_id,
            inputs,
            lambda: self._attempts(task, node_id, lambda info: self.runner.run(task, node_id, inputs, info)),
        )

    def _run_dynamic(self, task: Any, node_id: str, inputs: dict[str, Literal]) -> dict[str, Literal]:
        graph = self._attempts(
            task, node_id, lambda info: self.runner.run_dynamic(task, node_id, inputs, info)
        )
        return self.run_graph(graph, {})

    def _cached(
        self, task: Any, node_id: str, inputs: dict[str, Literal], compute: Callable[[], dict[str, Literal]]
    ) -> dict[str, Literal]:
        """Outputs from the catalog when `task.cache` and a hit; else computed, then stored."""
        key = None
        if task.cache and self.catalog is not None:
            from dockyard.sdk.cache import cache_key

            key = cache_key(task, inputs)
            if not self.overwrite_cache:
                hit = self.catalog.get(key)
                if hit is not None:
                    self._emit("cache_hit", node_id, task.name)
                    return hit
        outputs = compute()
        if key is not None and self.catalog is not None:
            self.catalog.put(key, task.name, outputs)
            self._emit("cache_put", node_id, task.name)
        return outputs

    def _attempts(self, task: Any, node_id: str, attempt_fn: Callable[[AttemptInfo], Any]) -> Any:
        retries = task.retries
        attempt = 0
        while True:
            try:
                return attempt_fn(AttemptInfo(self.execution_id, node_id, attempt, retries))
            except _NO_RETRY:
                raise
            except Exception as exc:
                if attempt >= retries:
                    if not getattr(task, "names_errors", True):
                        raise
                    raise name_task_in_error(exc, task.name)  # noqa: B904 - same exception, task named
                self._emit("retry", node_id, task.name, f"attempt {attempt + 1} failed: {exc!r}")
                attempt += 1

    # ---- graphs -----------------------------------------------------------------------------------------
    def run_graph(
        self, graph: Graph, inputs: dict[str, Literal], prefix: str = "", finish_on_failure: bool = False
    ) -> dict[str, Literal]:
        """Run a graph's nodes with `inputs` as its `$inputs`; node ids in the execution get `prefix`.
        `finish_on_failure` (WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE) lets the nodes
        that do not depend on a failed one run before the first failure is raised."""
        scope = _Scope(None, prefix)
        scope.outputs[INPUTS] = inputs
        self._run_nodes(graph.nodes, scope, finish_on_failure)
        return {name: self.resolve(b, scope) for name, b in graph.outputs.items()}

    def _run_nodes(self, nodes: list[Node], scope: _Scope, finish_on_failure: bool = False) -> None:
        """Ready nodes start in creation order (with one worker: one at a time, the order the body
        called them in, as flytekit runs a workflow locally)."""
        if not nodes:
            return
        position = {n.id: i for i, n in enumerate(nodes)}
        waiting: dict[str, int] = {}
        dependents: dict[str, list[Node]] = {}
        ready: list[tuple[int, Node]] = []  # a heap by creation order
        for n in nodes:
            deps = {u for u in n.upstream if u in position}
            waiting[n.id] = len(deps)
            for u in deps:
                dependents.setdefault(u, []).append(n)
            if not deps:
                ready.append((position[n.id], n))
        heapq.heapify(ready)
        failures: list[BaseException] = []

        def done(node: Node, error: BaseException | None) -> None:
            if error is not None:
                if not finish_on_failure:
                    raise error
                failures.append(error)
                return  # its dependents never become ready
            for d in dependents.get(node.id, ()):
                waiting[d.id] -= 1
                if waiting[d.id] == 0:
                    heapq.heappush(ready, (position[d.id], d))

        def run_inline(node: Node) -> None:
            try:
                self._run_node(node, scope)
            except Exception as exc:
                done(node, exc)
                return
            done(node, None)

        pool: ThreadPoolExecutor | None = None
        running: dict[Future[None], Node] = {}
        # finished futures arrive here, so each completion costs the same however many nodes are in
        # flight (`concurrent.futures.wait` would scan them all each time: quadratic in a wide fan-out)
        finished: queue.SimpleQueue[Future[None]] = queue.SimpleQueue()
        try:
            while ready or running:
                if self.max_workers <= 1 or (len(ready) == 1 and not running):
                    run_inline(heapq.heappop(ready)[1])
                    continue
                if pool is None and ready:
                    pool = ThreadPoolExecutor(self.max_workers, thread_name_prefix="dockyard-node")
                while ready:
                    node = heapq.heappop(ready)[1]
                    # each node runs in a copy of the caller's context (store binding, raw output dir)
                    ctx = contextvars.copy_context()
                    fut = pool.submit(ctx.run, self._run_node, node, scope)  # type: ignore[union-attr]
                    running[fut] = node
                    fut.add_done_callback(finished.put)
                batch = [finished.get()]
                while not finished.empty():
                    batch.append(finished.get())
                for fut in sorted(batch, key=lambda f: position[running[f].id]):
                    node = running.pop(fut)
                    done(node, fut.exception())
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        if failures:
            raise failures[0]
        stuck = [i for i, w in waiting.items() if w > 0]
        if stuck:  # pragma: no cover - compile guarantees acyclic graphs
            raise CompileError(f"graph: nodes {stuck} wait on each other")

    def _run_node(self, node: Node, scope: _Scope) -> None:
        if node.kind == "branch":
            scope.outputs[node.id] = self._run_branch(node, scope)
            return
        inputs = {name: self.resolve(b, scope) for name, b in node.inputs.items()}
        entity = node.entity
        if node.overrides and hasattr(entity, "overridden"):  # `.with_overrides(...)` takes effect here
            entity = entity.overridden(node.overrides)
        scope.outputs[node.id] = self.run_entity(entity, scope.prefix + node.id, inputs)

    # ---- conditionals -----------------------------------------------------------------------------------
    def _run_branch(self, node: Node, scope: _Scope) -> dict[str, Literal]:
        branch = node.branch
        assert branch is not None
        for case in branch.cases:
            if case.condition is not None and not self.evaluate(case.condition, scope):
                continue
            if case.fail is not None:
                raise ConditionalFailure(case.fail)  # flytekit's message: the user's, as it is
            inner = _Scope(scope)
            self._run_nodes(case.nodes, inner)
            return {name: self.resolve(b, inner) for name, b in case.outputs.items()}
        if branch.output_types:
            raise ConditionalFailure(f"conditional '{branch.name}': no case matched and there is no else")
        return {}

    def evaluate(self, expr: Expr, scope: _Scope) -> bool:
        if not isinstance(expr, Comparison):
            lhs = self.evaluate(expr.lhs, scope)
            if expr.op == "and":
                return lhs and self.evaluate(expr.rhs, scope)
            return lhs or self.evaluate(expr.rhs, scope)
        left = self._operand(expr.lhs, scope)
        if expr.op == "is_none":
            return left is None
        right = self._operand(expr.rhs, scope)  # type: ignore[arg-type]
        op = expr.op
        if op == "eq":
            return bool(left == right)
        if op == "ne":
            return bool(left != right)
        if op == "lt":
            return bool(left < right)
        if op == "le":
            return bool(left <= right)
        if op == "gt":
            return bool(left > right)
        return bool(left >= right)

    def _operand(self, b: Binding, scope: _Scope) -> Any:
        from dockyard.sdk.types import TypeEngine

        lit = self.resolve(b, scope)
        if b.type is None:  # a graph read back from its document: compare the primitive literal's value
            return _primitive(lit)
        return TypeEngine.to_python(lit, b.type)

    # ---- bindings ---------------------------------------------------------------------------------------
    def resolve(self, b: Binding, scope: _Scope) -> Literal:
        """The literal a binding stands for, now that its upstream nodes have run."""
        if isinstance(b, Ref):
            lit = scope.lookup(b.node, b.output)
            if b.convert_to is None and not b.path:
                return lit
            from dockyard.sdk.types import TypeEngine

            if b.path:
                lit = follow_path(lit, b, scope.prefix)
                if b.convert_to is None:
                    return lit
            return TypeEngine.to_literal(TypeEngine.to_python(lit, b.type), b.convert_to)
        if isinstance(b, Const):
            return b.literal
        # collections are assembled at the literal level (docs/literals.md): items were type-checked
        # at compile time, and an item of a different type carries its own conversion (Ref.convert_to)
        if isinstance(b, ListOf):
            return {"list": [self.resolve(i, scope) for i in b.items]}
        assert isinstance(b, DictOf)
        return {"map": {k: self.resolve(v, scope) for k, v in b.items}}

    # ---- map tasks --------------------------------------------------------------------------------------
    def run_map(self, mt: Any, node_id: str, inputs: dict[str, Literal]) -> dict[str, Literal]:
        """Run item i as task node `node_id-i`, `concurrency` at a time; None for tolerated failures."""
        task = mt.task
        inner = task.interface
        mapped = [k for k in inner.inputs if k not in mt.bound_names and k in inputs]
        lists = {k: _items(inputs[k], f"map_task {task.name}: input '{k}'") for k in mapped}
        sizes = {len(v) for v in lists.values()}
        if len(sizes) > 1:
            raise InterfaceError(
                f"map_task {task.name}: mapped inputs have different lengths {sorted(sizes)}"
            )
        total = sizes.pop() if sizes else 0
        bound = {k: inputs[k] for k in inner.inputs if k in mt.bound_names}
        for k in inner.inputs:
            if k not in inputs:  # left to the task's own default
                bound[k] = task.default_binding(k).literal
        share = getattr(self.runner, "share_map_inputs", None)
        if share is not None:  # a remote runner stores the lists once; each item picks its own
            share(node_id, {**bound, **{k: inputs[k] for k in mapped}}, sorted(bound))
        workers = min(mt.concurrency or self.default_map_concurrency, total)
        as_one = getattr(self.runner, "run_map_job", None)  # a backend that runs every item as one job
        whole = None
        if as_one is not None and not task.cache:  # (cached items are looked up one by one)
            whole = as_one(task, node_id, total, workers, mt.min_successes(total))
        if whole is not None:
            results, errors = whole
            for i, exc in errors:
                self._emit("map_failure", f"{node_id}-{i}", task.name, repr(exc))
        else:
            results, errors = self._run_items(task, node_id, total, workers, bound, mapped, lists)
        if errors and total - len(errors) < mt.min_successes(total):
            errors.sort(key=lambda e: e[0])
            raise errors[0][1]
        return {
            name: {"list": [_NONE_LITERAL if r is None else r[name] for r in results]}
            for name in mt.interface.outputs
        }

    def _run_items(
        self,
        task: Any,
        node_id: str,
        total: int,
        workers: int,
        bound: dict[str, Literal],
        mapped: list[str],
        lists: dict[str, list[Literal]],
    ) -> tuple[list[dict[str, Literal] | None], list[tuple[int, BaseException]]]:
        """Each item as its own task node, `workers` at a time: the outputs (None if failed) and failures."""
        results: list[dict[str, Literal] | None] = [None] * total
        errors: list[tuple[int, BaseException]] = []

        def run_item(i: int) -> None:
            item = dict(bound)
            for k in mapped:
                item[k] = lists[k][i]
            try:
                results[i] = self.run_task(task, f"{node_id}-{i}", item)
            except Exception as exc:
                errors.append((i, exc))
                self._emit("map_failure", f"{node_id}-{i}", task.name, repr(exc))

        if workers <= 1:
            for i in range(total):
                run_item(i)
            return results, errors
        counter = iter(range(total))
        lock = threading.Lock()

        def worker() -> None:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                run_item(i)

        threads = [
            threading.Thread(target=contextvars.copy_context().run, args=(worker,), name=f"dockyard-map-{j}")
            for j in range(workers)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results, errors
