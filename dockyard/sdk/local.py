"""Local execution: the walker with a runner that calls task functions in this process.

`LocalTaskRunner` gives each attempt a context (execution id, a lazily made sandbox, a checkpoint carried
across retries, secrets), enforces `timeout` by running the body in a worker thread and no longer waiting
(a Python thread cannot be killed: a timed-out body keeps running in the background until it returns), and
trims framework frames from user tracebacks. `run_task` / `run_dynamic_task` run ONE attempt with literal
inputs; the container entrypoint subclasses `LocalTaskRunner` for a container's context.
"""

from __future__ import annotations

import contextlib
import contextvars
import inspect
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from types import TracebackType
from typing import Any

from dockyard.sdk.context import (
    Checkpoint,
    ExecutionIdentifier,
    ExecutionParameters,
    enter_context,
    leave_context,
    task_context,
)
from dockyard.sdk.errors import InterfaceError, TaskTimeoutError
from dockyard.sdk.execute import output_literals, python_inputs
from dockyard.sdk.graph import Graph
from dockyard.sdk.walker import AttemptInfo, Event, Walker

_TB_ATTR = "_dockyard_user_tb"
_OVERWRITE_CACHE: ContextVar[bool] = ContextVar("dockyard_overwrite_cache", default=False)
_ON_EVENT: ContextVar[Callable[[Event], None] | None] = ContextVar("dockyard_on_event", default=None)


@contextmanager
def overwriting_cache(enabled: bool = True) -> Iterator[None]:
    """Local runs inside this block ignore cache hits and store fresh outputs (`--overwrite-cache`)."""
    token = _OVERWRITE_CACHE.set(enabled)
    try:
        yield
    finally:
        _OVERWRITE_CACHE.reset(token)


def _trim(exc: BaseException, fn: Callable[..., Any]) -> BaseException:
    """Drop the frames above the user's function from the traceback; remember it for the final re-raise."""
    tb: TracebackType | None = exc.__traceback__
    code = getattr(fn, "__code__", None)
    while tb is not None and tb.tb_frame.f_code is not code:
        tb = tb.tb_next
    if tb is not None:
        exc.__traceback__ = tb
        with contextlib.suppress(Exception):  # exceptions without a __dict__
            setattr(exc, _TB_ATTR, tb)
    return exc


@contextmanager
def watching(on_event: Callable[[Event], None]) -> Iterator[None]:
    """Local runs inside this block report walker events (cache hits, retries...) to `on_event`."""
    token = _ON_EVENT.set(on_event)
    try:
        yield
    finally:
        _ON_EVENT.reset(token)


def _previous_checkpoint(root: Path, attempt: int) -> Path | None:
    for prev in range(attempt - 1, -1, -1):
        path = root / str(prev)
        if path.is_dir() and any(path.iterdir()):
            return path
    return None


def call_body(fn: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    """Call a task body; an `async def` body (an async task, an `@eager` workflow) runs on its own event
    loop, in a worker thread when this thread already runs one (a task awaited inside an eager body)."""
    result = fn(**kwargs)
    if not inspect.iscoroutine(result):
        return result
    import asyncio  # only for async bodies: it is a large part of a task container's start-up

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(result)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = asyncio.run(result)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=contextvars.copy_context().run, args=(target,), name="dockyard-async")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


class LocalTaskRunner:
    """Runs task attempts in this process; files go under `root/<execution id>/` when first needed."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or Path(tempfile.gettempdir()) / "dockyard-local"

    def params(self, task: Any, info: AttemptInfo) -> ExecutionParameters:
        """The attempt's context; its paths are only worked out if the task asks for them."""

        def checkpoint() -> Checkpoint:
            cp_root = self.root / info.execution_id / "checkpoints" / info.node_id
            prev = _previous_checkpoint(cp_root, info.attempt) if info.attempt else None
            return Checkpoint(cp_root / str(info.attempt), prev)

        return ExecutionParameters(
            ExecutionIdentifier("local", "local", "local"),  # flytekit names every local execution `local`
            task_name=task.name,
            attempt=info.attempt,
            local=True,
            checkpoint_factory=checkpoint,
            sandbox_factory=lambda: self.root / info.execution_id / "sandbox",
            enable_deck=bool(getattr(task, "enable_deck", False)),
        )

    def _call(self, task: Any, info: AttemptInfo, body: Callable[[], Any]) -> Any:
        params = self.params(task, info)
        timeout = task.timeout_s
        if timeout is None:
            token = enter_context(params)
            try:
                return body()
            except Exception as exc:
                raise _trim(exc, task.fn)  # noqa: B904 - the same exception, with the user's traceback
            finally:
                leave_context(token)
        box: dict[str, Any] = {}

        def target() -> None:
            with task_context(params):
                try:
                    box["result"] = body()
                except BaseException as exc:
                    box["error"] = exc

        thread = threading.Thread(
            target=contextvars.copy_context().run,
            args=(target,),
            name=f"dockyard-task-{info.node_id}",
            daemon=True,
        )
        thread.start()
        thread.join(timeout)
        if thread.is_alive():
            raise TaskTimeoutError(
                f"task '{task.name}' (node {info.node_id}) timed out after {timeout:g}s "
                f"(attempt {info.attempt + 1} of {info.retries + 1})"
            )
        if "error" in box:
            err = box["error"]
            raise _trim(err, task.fn)
        return box["result"]

    def run(self, task: Any, node_id: str, inputs: dict[str, Any], attempt: AttemptInfo) -> dict[str, Any]:
        kwargs = python_inputs(task, inputs)
        result = self._call(task, attempt, lambda: call_body(task.fn, kwargs))
        return output_literals(task, result)

    def run_dynamic(self, task: Any, node_id: str, inputs: dict[str, Any], attempt: AttemptInfo) -> Graph:
        kwargs = python_inputs(task, inputs)
        graph: Graph = self._call(task, attempt, lambda: task.build(node_id, kwargs))
        return graph


def run_task(
    task: Any,
    inputs: dict[str, Any],
    *,
    execution_id: str = "local",
    node_id: str = "n0",
    attempt: int = 0,
    root: Path | None = None,
) -> dict[str, Any]:
    """Run ONE attempt of a task with input literals and return output literals (the entrypoint's call)."""
    info = AttemptInfo(execution_id, node_id, attempt, task.retries)
    return LocalTaskRunner(root).run(task, node_id, inputs, info)


def run_dynamic_task(
    task: Any,
    inputs: dict[str, Any],
    *,
    execution_id: str = "local",
    node_id: str = "n0",
    attempt: int = 0,
    root: Path | None = None,
) -> Graph:
    """Run ONE attempt of a dynamic task's body and return its sub-graph (the entrypoint's call)."""
    info = AttemptInfo(execution_id, node_id, attempt, task.retries)
    return LocalTaskRunner(root).run_dynamic(task, node_id, inputs, info)


def input_literals(entity: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Python inputs → literals, with defaults; unknown, missing or mistyped inputs fail naming the input."""
    from dockyard.sdk.types import TypeEngine, TypeTransformerFailedError

    iface = entity.interface
    names = list(iface.inputs)
    if len(args) > len(names):
        raise InterfaceError(
            f"{entity.name}: takes {len(names)} inputs, got {len(args)} positional arguments"
        )
    values = dict(zip(names, args, strict=False))
    for key, value in kwargs.items():
        if key not in iface.inputs:
            raise InterfaceError(
                f"{entity.name}: unknown input '{key}' (inputs: {', '.join(names) or 'none'})"
            )
        if key in values:
            raise InterfaceError(f"{entity.name}: input '{key}' given twice")
        values[key] = value
    literals: dict[str, Any] = {}
    for key, tp in iface.inputs.items():
        try:
            if key in values:
                literals[key] = TypeEngine.to_literal(values[key], tp, path=key)
            elif key in iface.defaults:  # a default of the wrong type fails here, at the call, as in flytekit
                default = entity.default_binding(key)
                if default is not None:
                    literals[key] = default.literal
        except TypeTransformerFailedError as exc:  # flytekit's first line, then which input and why
            if entity.node_kind != "workflow":
                first = f"Failed to convert inputs of task '{entity.name}':"
            elif tp in (int, float, str, bool):
                value = values[key] if key in values else iface.defaults[key]
                first = (
                    f"Failed argument '{key}': Expected value of type {tp} but got '{value}' of type "
                    f"{type(value)}"
                )
            else:
                raise
            raise TypeTransformerFailedError(f"{first}\n  {exc}") from None
    missing = [key for key in iface.inputs if key not in values and key not in iface.defaults]
    if missing:
        raise missing_inputs_error(entity, missing)
    return literals


def missing_inputs_error(entity: Any, missing: list[str]) -> TypeError:
    """Python's own words for the call flytekit makes: `wf() missing 1 required positional argument: 'b'`.

    A task's message is prefixed with its name, as flytekit's local run does for errors in a task body.
    """
    from dockyard.sdk.walker import name_task_in_error

    wrapped = getattr(entity, "workflow", entity)  # a launch plan calls its workflow
    fn = getattr(wrapped, "fn", None)
    short = getattr(fn, "__name__", None) or wrapped.name.rsplit(".", 1)[-1]
    quoted = [f"'{key}'" for key in missing]
    listed = ", ".join(quoted[:-1]) + ", and " + quoted[-1] if len(quoted) > 2 else " and ".join(quoted)
    plural = "s" if len(missing) > 1 else ""
    error = TypeError(f"{short}() missing {len(missing)} required positional argument{plural}: {listed}")
    if getattr(entity, "node_kind", None) == "workflow" or wrapped is not entity:
        return error
    return TypeError(str(name_task_in_error(error, entity.name)))


def run(
    entity: Any,
    inputs: dict[str, Any] | None = None,
    *,
    overwrite_cache: bool | None = None,
    execution_id: str | None = None,
    on_event: Callable[[Event], None] | None = None,
    args: tuple[Any, ...] = (),
) -> Any:
    """Run a task, workflow, dynamic or map task locally with Python inputs; return Python outputs.

    This is what calling an entity does; `dockyard run` calls it with `overwrite_cache` and `on_event`.
    """
    from dockyard.sdk.cache import shared_cache
    from dockyard.sdk.types import TypeEngine

    literals = input_literals(entity, args, inputs or {})
    walker = Walker(
        LocalTaskRunner(),
        execution_id=execution_id,
        max_workers=1,  # flytekit's local order: one node at a time, as the body called them
        default_map_concurrency=1,  # map items in order too, unless the map_task sets a concurrency
        retrace=True,
        catalog=shared_cache(),
        overwrite_cache=_OVERWRITE_CACHE.get() if overwrite_cache is None else overwrite_cache,
        on_event=on_event or _ON_EVENT.get(),
    )
    try:
        out = walker.execute(entity, literals)
    except Exception as exc:
        tb = getattr(exc, _TB_ATTR, None)
        if tb is not None:
            raise exc.with_traceback(tb)  # noqa: B904 - the user's traceback, not the walker's frames
        raise
    iface = entity.interface
    return iface.pack_outputs(
        {k: TypeEngine.to_python(out[k], tp, path=k) for k, tp in iface.outputs.items()}
    )


def execute(entity: Any, *args: Any, **kwargs: Any) -> Any:
    """`entity(...)` outside a workflow body: run it locally."""
    return run(entity, kwargs, args=args)
