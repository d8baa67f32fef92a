"""Typed interfaces of tasks and workflows, computed once per entity from the function signature.

Inputs keep declaration order and defaults; outputs follow flytekit: a NamedTuple return names them, a
`tuple[...]` return gives `o0, o1, ...`, any other annotation gives one output `o0`, and `None` (or no
return annotation) gives none.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dockyard.sdk.errors import (
    InterfaceError,
    OutputShapeAssertionError,
    OutputShapeIndexError,
    OutputShapeTypeError,
)
from dockyard.sdk.exceptions import FlyteMissingReturnValueException

_EMPTY = inspect.Parameter.empty
DEFAULT_TUPLE_NAME = "DefaultNamedTupleOutput"  # flytekit's name for the tuple of unnamed outputs


@dataclass(frozen=True)
class Interface:
    """Ordered inputs (name → type) with defaults, ordered outputs, and the tuple type of multi-outputs."""

    inputs: dict[str, Any]
    outputs: dict[str, Any]
    defaults: dict[str, Any] = field(default_factory=dict)
    output_tuple: Any = None

    @functools.cached_property
    def key(self) -> str:
        """A stable text form of the types, part of the cache key: a changed signature misses the cache."""
        ins = ",".join(f"{n}:{type_name(t)}" for n, t in self.inputs.items())
        outs = ",".join(f"{n}:{type_name(t)}" for n, t in self.outputs.items())
        return f"({ins})->({outs})"

    @property
    def named_tuple(self) -> Any:
        """The user's NamedTuple of the outputs (flytekit's `output_tuple_name`), or None: unlike the
        `DefaultNamedTupleOutput` dockyard makes for unnamed or class-declared outputs."""
        tp = self.output_tuple
        return None if tp is None or getattr(tp, "__name__", "") == DEFAULT_TUPLE_NAME else tp

    def pack_outputs(self, values: dict[str, Any]) -> Any:
        """Python values of the outputs as the caller sees them: None, bare, or the output tuple."""
        if not self.outputs:
            return None
        if len(self.outputs) == 1 and self.named_tuple is None:  # bare, but a user's NamedTuple as itself
            return next(iter(values.values()))
        return self.output_tuple(*(values[n] for n in self.outputs))

    def unpack_outputs(self, result: Any, task_name: str) -> dict[str, Any]:
        """Map a body's return value onto the output names as flytekit does: with no outputs it is dropped;
        one output takes it whole (a 1-field NamedTuple's first item), but never a tuple; several index it,
        so what is not iterable is a TypeError, a longer one an IndexError, a shorter one an
        AssertionError."""
        names = list(self.outputs)
        if not names:
            return {}
        if len(names) == 1:
            if self.named_tuple is not None and isinstance(result, tuple):
                return {names[0]: result[0]}
            if isinstance(result, tuple):
                raise OutputShapeTypeError(
                    f"Output({names[0]}) in task '{task_name}' received a tuple {result}, instead of "
                    f"{self.outputs[names[0]]}"
                )
            return {names[0]: result}
        try:
            values = {names[i]: result[i] for i, _ in enumerate(result)}
        except TypeError as exc:
            raise OutputShapeTypeError(str(exc)) from None
        except IndexError as exc:
            raise OutputShapeIndexError(str(exc)) from None
        if len(values) != len(names):
            raise OutputShapeAssertionError(f"Length difference {len(names)} {len(values)}")
        return values


def type_name(tp: Any) -> str:
    """A readable, stable name of a Python type for messages and keys."""
    if isinstance(tp, type) and not typing.get_args(tp):
        return tp.__qualname__
    return repr(tp).replace("typing.", "")


def is_namedtuple(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, tuple) and hasattr(tp, "_fields")


@functools.cache
def default_output_tuple(names: tuple[str, ...]) -> Any:
    """The namedtuple flytekit gives multiple outputs when the user named none (`o0`, `o1`, ...)."""
    return collections.namedtuple(DEFAULT_TUPLE_NAME, names)


def _check_type(owner: str, what: str, tp: Any) -> None:
    """Ask the type engine whether it can carry `tp` (pickle is its fallback, so few types fail)."""
    from dockyard.sdk.types import TypeTransformerFailedError, check_annotation

    try:
        check_annotation(tp)
    except TypeTransformerFailedError as exc:  # what flytekit refuses with this error (a non-string enum)
        raise TypeTransformerFailedError(f"{exc}\n  {owner}: {what}") from None
    except Exception as exc:
        raise InterfaceError(f"{owner}: {what} has an unsupported type {type_name(tp)}: {exc}") from None


def outputs_from_annotation(owner: str, ret: Any) -> tuple[dict[str, Any], Any]:
    """Output names and types from a return annotation, and the tuple type (None for 0 or 1 output)."""
    if ret is None or ret is type(None) or ret is _EMPTY:
        return {}, None
    if isinstance(ret, tuple):  # `-> (float, float)`: flytekit reads it as Tuple[float, float]
        ret = tuple.__class_getitem__(ret)
    if is_namedtuple(ret):
        hints = typing.get_type_hints(ret, include_extras=True)
        outs = {name: hints[name] for name in ret._fields}
        return outs, ret
    if typing.get_origin(ret) is tuple:
        args = typing.get_args(ret)
        if not args or args[-1] is Ellipsis:
            return {"o0": ret}, None
        if len(args) == 1:
            from dockyard.sdk.exceptions import FlyteValidationException

            raise FlyteValidationException(
                "Tuples should be used to indicate multiple return values, found only one return variable."
            )
        names = tuple(f"o{i}" for i in range(len(args)))
        return dict(zip(names, args, strict=True)), default_output_tuple(names)
    return {"o0": ret}, None


def _type_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    """The function's annotations, evaluated; a `(float, float)` return (typing refuses a tuple of types,
    also as the string that `from __future__ import annotations` leaves) becomes `tuple[float, float]`."""
    ret = fn.__annotations__.get("return")
    if isinstance(ret, str):
        ret = eval(ret, getattr(fn, "__globals__", {}))
    if not isinstance(ret, tuple):
        return typing.get_type_hints(fn, include_extras=True)
    others = {k: v for k, v in fn.__annotations__.items() if k != "return"}
    rest = types.SimpleNamespace(__annotations__=others)
    globalns = getattr(fn, "__globals__", {})
    hints = typing.get_type_hints(rest, globalns=globalns, include_extras=True)
    return {**hints, "return": tuple.__class_getitem__(ret)}


def interface_of(fn: Callable[..., Any], kind: str = "task", has_body: bool = True) -> Interface:
    """Build the interface of a function; a missing annotation or a bad parameter kind fails here.

    `has_body=False` (a reference entity: a signature only) skips flytekit's missing-`return` check."""
    owner = f"{kind} {fn.__module__}.{fn.__qualname__}"
    try:
        hints = _type_hints(fn)
    except Exception as exc:
        raise InterfaceError(f"{owner}: cannot resolve type annotations: {exc}") from None
    sig = inspect.signature(fn)
    inputs: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    for name, param in sig.parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise InterfaceError(f"{owner}: argument '{name}': *args and **kwargs are not supported")
        if name not in hints:
            raise InterfaceError(f"{owner}: argument '{name}' has no type annotation")
        inputs[name] = hints[name]
        if param.default is not _EMPTY:
            defaults[name] = param.default
    returned = hints.get("return", None)
    optional = returned is None or returned is type(None) or type(None) in typing.get_args(returned)
    if has_body and not optional and not _mentions_return(fn):
        raise FlyteMissingReturnValueException(fn=fn)
    outputs, tuple_type = outputs_from_annotation(owner, returned)
    for name, tp in inputs.items():
        _check_type(owner, f"argument '{name}'", tp)
    for name, tp in outputs.items():
        _check_type(owner, f"output '{name}'", tp)
    return Interface(inputs=inputs, outputs=outputs, defaults=defaults, output_tuple=tuple_type)


def _mentions_return(fn: Callable[..., Any]) -> bool:
    """flytekit's test for a body that declares outputs: some source line says `return` or `yield`.

    It is textual on purpose (flytekit's rule, so the same functions are refused); no source, no refusal."""
    try:
        lines = inspect.getsourcelines(fn)[0]
    except (OSError, TypeError):
        return True
    return any("return" in line or "yield" in line for line in lines)


def step_type(tp: Any, key: Any) -> Any:
    """The type of `value.key` / `value[key]` for a value of type `tp`; `Any` where it cannot be known
    before the value exists (flytekit resolves promise paths at run time, so a bad one fails then)."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return step_type(typing.get_args(tp)[0], key)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        return step_type(rest[0], key) if len(rest) == 1 else typing.Any
    if origin is dict and len(args) == 2:
        return args[1]
    if isinstance(key, int):
        if origin is list and args:
            return args[0]
        if origin is tuple and args and args[-1] is not Ellipsis and -len(args) <= key < len(args):
            return args[key]
        return typing.Any
    if isinstance(tp, type) and isinstance(key, str):
        if dataclasses.is_dataclass(tp) or is_namedtuple(tp):
            hints = typing.get_type_hints(tp, include_extras=True)
            return hints.get(key, typing.Any)
        fields = getattr(tp, "model_fields", None)  # a pydantic model
        if isinstance(fields, dict) and key in fields:
            return fields[key].annotation
    return typing.Any
