"""Tasks defined by a class rather than a function (flytekit's `PythonInstanceTask`), and `TaskMetadata`.

ShellTask, SQLite3Task and users' own task classes give their interface as dicts of names to types and
implement `execute(**kwargs)`. They become ordinary `PythonTask`s: a synthetic function with that signature
calls `execute`, so the local runner, the cache and the container entrypoint treat them like `@task`s.
"""

from __future__ import annotations

import inspect
import sys
import typing
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from dockyard.sdk.interface import DEFAULT_TUPLE_NAME, Interface
from dockyard.sdk.task import PythonTask


@dataclass
class TaskMetadata:
    """flytekit's `TaskMetadata`, passed as `metadata=` to class-based tasks; spread into task options."""

    cache: bool = False
    cache_serialize: bool = False
    cache_version: str = ""
    cache_ignore_input_vars: tuple[str, ...] = ()
    interruptible: bool | None = None
    deprecated: str = ""
    retries: int = 0
    timeout: timedelta | int | None = None
    pod_template_name: str | None = None
    generates_deck: bool = False
    is_eager: bool = False
    labels: dict[str, str] = field(default_factory=dict)


class IgnoreOutputs(Exception):
    """Raised by a task to say its outputs should be ignored (flytekit's distributed-training escape)."""


def signature_function(
    name: str, module: str, inputs: dict[str, Any], outputs: dict[str, Any], body: Any
) -> Any:
    """A function named `name` with keyword inputs `inputs` returning `outputs`, that calls `body(**kw)`."""

    def call(**kwargs: Any) -> Any:
        return body(**kwargs)

    returns: Any = None
    if len(outputs) == 1 and next(iter(outputs)) == "o0":
        returns = next(iter(outputs.values()))
    elif outputs:
        returns = typing.NamedTuple(DEFAULT_TUPLE_NAME, list(outputs.items()))  # type: ignore[misc,no-redef]
    params = [
        inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, annotation=tp) for key, tp in inputs.items()
    ]
    call.__signature__ = inspect.Signature(params, return_annotation=returns)  # type: ignore[attr-defined]
    call.__annotations__ = {**inputs, "return": returns}
    call.__name__ = call.__qualname__ = name.rsplit(".", 1)[-1]
    call.__module__ = module
    return call


def caller_module(depth: int) -> str:
    """The user module that created an entity object (the first frame outside dockyard)."""
    frame = sys._getframe(depth)
    while frame is not None and frame.f_globals.get("__name__", "").startswith("dockyard."):
        frame = frame.f_back  # type: ignore[assignment]
    return "__main__" if frame is None else str(frame.f_globals.get("__name__", "__main__"))


def variable_name(entity: Any) -> str | None:
    """The module-level variable that holds `entity` (how a container loads an object made by a call)."""
    module = sys.modules.get(entity.module)
    for key, value in vars(module).items() if module is not None else ():
        if value is entity:
            return key
    return None


def execute_body(task: Any, name: str, interface: Interface | None) -> Any:
    """The function a class-based task runs: `task.execute(**inputs)`, with the interface's signature."""
    inputs = dict(interface.inputs or {}) if interface is not None else {}
    outputs = dict(interface.outputs or {}) if interface is not None else {}
    return signature_function(name, caller_module(3), inputs, outputs, lambda **kw: task.execute(**kw))


class PythonInstanceTask(PythonTask):
    """A task whose body is the instance's `execute(**kwargs)`; its variable name is found in its module."""

    def __init__(
        self,
        name: str,
        task_config: Any = None,
        task_type: str = "python-task",
        *,
        interface: Interface | Any = None,
        inputs: dict[str, Any] | None = None,
        outputs: dict[str, Any] | None = None,
        metadata: TaskMetadata | None = None,
        task_resolver: Any = None,
        **kwargs: Any,
    ) -> None:
        if interface is not None:
            inputs, outputs = dict(interface.inputs or {}), dict(interface.outputs or {})
        module = caller_module(2)
        fn = signature_function(name, module, dict(inputs or {}), dict(outputs or {}), self._run)
        super().__init__(
            fn, name=name, task_type=task_type, task_config=task_config, metadata=metadata, **kwargs
        )
        self.metadata = metadata or TaskMetadata()  # class-based tasks always have one

    def _run(self, **kwargs: Any) -> Any:
        return self.execute(**kwargs)

    def execute(self, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} {self.name}: execute() is not implemented")

    @property
    def short_name(self) -> str:
        """The variable that holds this task in its module: how a container finds it again."""
        return variable_name(self) or self._short_name

    @short_name.setter
    def short_name(self, value: str) -> None:
        self._short_name = value


class Echo(PythonTask):
    """flytekit's `Echo`: a task whose outputs are its inputs (`o0`, `o1`, ... in input order)."""

    def __init__(self, name: str, inputs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        outputs = {f"o{i}": tp for i, tp in enumerate((inputs or {}).values())}
        super().__init__(task_type="echo", name=name, interface=Interface(inputs or {}, outputs), **kwargs)

    def execute(self, **kwargs: Any) -> Any:
        values = list(kwargs.values())
        return values[0] if len(values) == 1 else tuple(values)
