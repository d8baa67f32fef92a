"""`map_task(task, concurrency=N, min_success_ratio=r)`: one task over lists of inputs, item by item.

Inputs bound with `functools.partial` stay scalars shared by every item (constants, or inside a workflow
its inputs and other nodes' promises); the others are lists of the same length, zipped. With a
`min_success_ratio` below 1, failed items give `None` (the outputs are `list[Optional[T]]`).
"""

from __future__ import annotations

import copy
import functools
import math
from typing import Any, ClassVar

from dockyard.sdk.entities import Entity
from dockyard.sdk.errors import TaskDefinitionError
from dockyard.sdk.graph import Const
from dockyard.sdk.interface import Interface
from dockyard.sdk.task import PythonTask


def _list_of(tp: Any) -> Any:
    return list[tp]


def _optional(tp: Any) -> Any:
    return tp | None


def _is_promise(value: Any) -> bool:
    from dockyard.sdk.promise import has_promises

    return has_promises(value)


class MapTask(Entity):
    node_kind: ClassVar[str] = "map"

    def __init__(
        self,
        task: PythonTask,
        concurrency: int | None = None,
        min_success_ratio: float = 1.0,
        bound_names: Any = (),
        bound_values: dict[str, Any] | None = None,
    ) -> None:
        if not isinstance(task, PythonTask) or task.node_kind != "task":
            raise TaskDefinitionError(
                f"map_task: {task!r} is not a @task (dynamic tasks and workflows can't be mapped)"
            )
        if concurrency is not None and (not isinstance(concurrency, int) or concurrency < 0):
            raise TaskDefinitionError(f"map_task {task.name}: concurrency must be a non-negative int")
        if not 0 <= min_success_ratio <= 1:
            raise TaskDefinitionError(f"map_task {task.name}: min_success_ratio must be within [0, 1]")
        super().__init__(task.fn, name=f"{task.name}_map")
        self.task = task
        self.module, self.short_name = task.module, task.short_name
        self.concurrency = concurrency or None
        self.min_success_ratio = float(min_success_ratio)
        self.bound_values = dict(bound_values or {})  # a workflow call binds them like given inputs
        self.bound_names = frozenset(bound_names) | frozenset(self.bound_values)
        inner = task.interface
        optional = self.min_success_ratio < 1
        inputs = {k: (tp if k in self.bound_names else _list_of(tp)) for k, tp in inner.inputs.items()}
        outputs = {k: _list_of(_optional(tp) if optional else tp) for k, tp in inner.outputs.items()}
        defaults = {k: v for k, v in self.bound_values.items() if not _is_promise(v)}
        for k, v in inner.defaults.items():  # unbound inputs with a default: that value for every item
            defaults.setdefault(k, v)
        self.interface = Interface(inputs, outputs, defaults, inner.output_tuple)
        self.retries = task.retries

    def overridden(self, overrides: dict[str, Any]) -> MapTask:
        """The node's overrides apply to every item's task."""
        task = self.task.overridden(overrides)
        if task is self.task:
            return self
        copied = copy.copy(self)
        copied.task, copied.retries = task, task.retries
        return copied

    def default_binding(self, key: str) -> Const | None:
        """Bound (partial) inputs are constants; an unbound input with a default is left out of the node."""
        return super().default_binding(key) if key in self.bound_names else None

    def min_successes(self, total: int) -> int:
        return math.ceil(total * self.min_success_ratio)


def map_task(
    target: PythonTask | functools.partial[Any],
    concurrency: int | None = None,
    min_success_ratio: float = 1.0,
    **kwargs: Any,
) -> MapTask:
    """Map a task (or a `functools.partial` of one, binding scalar inputs) over lists."""
    bound: dict[str, Any] = {}
    if isinstance(target, functools.partial):
        if target.args:
            raise TaskDefinitionError("map_task: bind inputs of the partial by keyword")
        bound = dict(target.keywords)
        target = target.func  # type: ignore[assignment]
    assert not isinstance(target, functools.partial)
    if isinstance(target, PythonTask):
        unknown = [k for k in bound if k not in target.interface.inputs]
        if unknown:
            raise TaskDefinitionError(f"map_task {target.name}: partial binds unknown inputs {unknown}")
    return MapTask(target, concurrency, min_success_ratio, (), bound)
