"""The transformer interface and type naming shared by every transformer module."""

from __future__ import annotations

import types
import typing
from abc import ABC, abstractmethod
from typing import Any

from dockyard.sdk.types.literal import Literal


class Transformer(ABC):
    """Converts one Python type to and from its literal; built once per type and cached by the engine.

    Errors carry a path relative to the transformer (see `TypeTransformerFailedError.under`).
    """

    name: str

    @abstractmethod
    def to_literal(self, value: Any) -> Literal: ...

    @abstractmethod
    def to_python(self, literal: Literal) -> Any: ...

    @abstractmethod
    def literal_type(self) -> dict[str, Any]: ...


def type_name(t: Any) -> str:
    """A short, readable name for an annotation: `float`, `list[int]`, `Optional[str]`, `FlyteFile[csv]`."""
    if t is type(None) or t is None:
        return "None"
    origin = typing.get_origin(t)
    if origin is typing.Annotated:
        return type_name(typing.get_args(t)[0])
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(t)
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1 and len(args) == 2:
            return f"Optional[{type_name(rest[0])}]"
        return f"Union[{', '.join(type_name(a) for a in args)}]"
    if origin is not None:
        args = typing.get_args(t)
        base = getattr(origin, "__name__", str(origin))
        return f"{base}[{', '.join(type_name(a) for a in args)}]" if args else base
    if t is typing.Any:
        return "Any"
    name = getattr(t, "__name__", None)
    return name if isinstance(name, str) else str(t)
