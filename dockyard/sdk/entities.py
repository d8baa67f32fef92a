"""The base of every callable entity (task, workflow, dynamic, map) and loading entities by reference.

Calling an entity inside a workflow body records a node and returns promises; calling it anywhere else runs
it locally. `load_entity("pkg.module:name")` or `load_entity("path/to/file.py:name")` finds one again, which
is how the container entrypoint and `dockyard run` get hold of the user's objects.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from dockyard.errors import DockyardError
from dockyard.sdk.errors import EntityNotFoundError
from dockyard.sdk.graph import Const
from dockyard.sdk.interface import Interface


def _module_name(fn: Callable[..., Any]) -> str:
    """The module part of an entity's name: a script's file name when it runs as `__main__` (flytekit's
    rule, so `python wf.py` names its task `wf.t`, as error messages and the cache key show)."""
    if fn.__module__ != "__main__":
        return fn.__module__
    code = getattr(fn, "__code__", None)
    return Path(code.co_filename).stem if code is not None else "__main__"


class Entity:
    """Shared behaviour: a name, an interface, and the compile-or-run dispatch of `__call__`."""

    node_kind: ClassVar[str] = "task"
    interface: Interface

    def __init__(self, fn: Callable[..., Any], name: str | None = None) -> None:
        self.fn = fn
        self.module: str = fn.__module__
        self.short_name: str = fn.__name__
        self.name: str = name or f"{_module_name(fn)}.{self.short_name}"
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__
        self.__qualname__ = fn.__qualname__
        self.__module__ = fn.__module__
        self.__wrapped__ = fn
        self._default_literals: dict[str, Const] = {}

    def __class_getitem__(cls, item: Any) -> Any:
        """`PythonInstanceTask[MyConfig]`: flytekit's entity classes are generic in their config; the
        subscript only documents the config's type, so it names the class itself."""
        return cls

    @property
    def python_interface(self) -> Interface:
        """flytekit's name for the interface."""
        return self.interface

    def default_binding(self, key: str) -> Const | None:
        """The default of input `key` as a literal, converted once."""
        found = self._default_literals.get(key)
        if found is None:
            from dockyard.sdk.types import TypeEngine

            tp = self.interface.inputs[key]
            found = Const(TypeEngine.to_literal(self.interface.defaults[key], tp, path=key), tp)
            self._default_literals[key] = found
        return found

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from dockyard.sdk.promise import add_call, current_builder

        builder = current_builder()
        if builder is not None:
            return add_call(builder, self.node_kind, self, args, kwargs)  # type: ignore[arg-type]
        from dockyard.sdk.local import execute

        if getattr(self, "is_async", False):  # an async task or @eager: awaitable, as in flytekit
            return _awaitable(execute, self, args, kwargs)
        return execute(self, *args, **kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name})"


async def _awaitable(execute: Callable[..., Any], entity: Entity, args: Any, kwargs: Any) -> Any:
    """Run an async entity off the event loop's thread, so its own loop does not nest in the caller's."""
    import asyncio
    import contextvars

    ctx = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(
        None, lambda: ctx.run(execute, entity, *args, **kwargs)
    )


def _import_file(path: Path) -> Any:
    path = path.resolve()
    name = path.stem
    existing = sys.modules.get(name)
    if existing is not None and getattr(existing, "__file__", None) == str(path):
        return existing
    return exec_file(path, EntityNotFoundError)


def exec_file(path: Path, error: type[DockyardError]) -> Any:
    """Execute `path` anew as module `<stem>`, in sys.modules and with its folder on sys.path (so it can
    import its neighbours); `error` says the file is not Python."""
    name = path.stem
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise error(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec.loader.exec_module(module)
    return module


@functools.cache
def _load(where: str, name: str) -> Any:
    if where.endswith(".py") or "/" in where:
        path = Path(where)
        if not path.is_file():
            raise EntityNotFoundError(f"{where}: no such file")
        module = _import_file(path)
    else:
        try:
            module = importlib.import_module(where)
        except ImportError as exc:
            raise EntityNotFoundError(f"module {where}: cannot import: {exc}") from None
    try:
        obj = module
        for part in name.split("."):
            obj = getattr(obj, part)
    except AttributeError:
        raise EntityNotFoundError(f"{where}: no entity named '{name}'") from None
    return obj


def load_entity(ref: str, name: str | None = None) -> Any:
    """Find an entity by `module.path:name`, `file.py:name`, or (`file.py`, `name`)."""
    if name is None:
        if ":" not in ref:
            raise EntityNotFoundError(f"entity reference {ref!r}: expected 'module:name' or 'file.py:name'")
        ref, name = ref.rsplit(":", 1)
    return _load(ref, name)
