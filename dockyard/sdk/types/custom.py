"""User-written transformers: flytekit's `TypeTransformer` base class and `TypeEngine.register`.

A user transformer speaks flytekit's models (`Literal`, `LiteralType`, see `models.py`); `UserTransformer`
adapts it to dockyard's `Transformer`, so the registered type crosses task boundaries like a built-in one.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from dockyard.sdk.types import models
from dockyard.sdk.types.base import Transformer
from dockyard.sdk.types.literal import Literal as LiteralDict

T = TypeVar("T")


class TypeTransformer(Generic[T]):
    """Base class of a user transformer for the Python type `t`."""

    def __init__(self, name: str, t: type[T], enable_type_assertions: bool = True) -> None:
        self._t = t
        self._name = name
        self._type_assertions_enabled = enable_type_assertions

    @property
    def name(self) -> str:
        return self._name

    @property
    def python_type(self) -> type[T]:
        return self._t

    @property
    def type_assertions_enabled(self) -> bool:
        return self._type_assertions_enabled

    def assert_type(self, t: type[T], v: T) -> None:
        if not hasattr(t, "__origin__") and not isinstance(v, t):
            raise TypeError(f"Type of Val '{v}' is not an instance of {t}")

    def get_literal_type(self, t: type[T]) -> models.LiteralType:
        raise NotImplementedError(f"Conversion to LiteralType of python type {t} is not implemented")

    def guess_python_type(self, literal_type: models.LiteralType) -> type[T]:
        raise ValueError(f"Transformer {self} cannot reverse {literal_type}")

    def to_literal(self, ctx: Any, python_val: T, python_type: type[T], expected: Any) -> models.Literal:
        raise NotImplementedError(f"Conversion to Literal for python type {python_type} not implemented")

    def to_python_value(self, ctx: Any, lv: models.Literal, expected_python_type: type[T]) -> T | None:
        raise NotImplementedError(
            f"Conversion to python value expected type {expected_python_type} not implemented"
        )

    def __repr__(self) -> str:
        return f"{self._name} Transforms ({self._t}) to Flyte native"


class AsyncTypeTransformer(TypeTransformer[T]):
    """A user transformer whose `to_literal` / `to_python_value` are coroutines."""

    async def async_to_literal(self, ctx: Any, python_val: T, python_type: type[T], expected: Any) -> Any:
        raise NotImplementedError(f"Conversion to Literal for python type {python_type} not implemented")

    async def async_to_python_value(self, ctx: Any, lv: models.Literal, expected_python_type: type[T]) -> Any:
        raise NotImplementedError(f"Conversion to python value of {expected_python_type} not implemented")

    def to_literal(self, ctx: Any, python_val: T, python_type: type[T], expected: Any) -> models.Literal:
        return _run(self.async_to_literal(ctx, python_val, python_type, expected))

    def to_python_value(self, ctx: Any, lv: models.Literal, expected_python_type: type[T]) -> T | None:
        return _run(self.async_to_python_value(ctx, lv, expected_python_type))


def _run(coroutine: Any) -> Any:
    """Finish a coroutine from synchronous code (in a worker thread when a loop already runs here)."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class SimpleTransformer(TypeTransformer[T]):
    """A transformer made of two functions and a literal type."""

    def __init__(
        self,
        name: str,
        t: type[T],
        lt: models.LiteralType,
        to_literal_transformer: Any,
        from_literal_transformer: Any,
    ) -> None:
        super().__init__(name, t)
        self._lt, self._to, self._from = lt, to_literal_transformer, from_literal_transformer

    def get_literal_type(self, t: type[T] | None = None) -> models.LiteralType:
        return self._lt

    def to_literal(self, ctx: Any, python_val: T, python_type: type[T], expected: Any) -> models.Literal:
        return self._to(python_val)

    def to_python_value(self, ctx: Any, lv: models.Literal, expected_python_type: type[T]) -> T | None:
        return self._from(lv)


class UserTransformer(Transformer):
    """A user `TypeTransformer` behind dockyard's Transformer interface."""

    def __init__(self, user: TypeTransformer[Any], python_type: Any) -> None:
        self.user = user
        self.python_type = python_type
        self.name = user.name

    def _ctx(self) -> Any:
        from dockyard.sdk.flyte_context import FlyteContextManager

        return FlyteContextManager.current_context()

    def to_literal(self, value: Any) -> LiteralDict:
        if self.user.type_assertions_enabled:
            self.user.assert_type(self.python_type, value)
        expected = self.user.get_literal_type(self.python_type)
        return models.to_literal_dict(self.user.to_literal(self._ctx(), value, self.python_type, expected))

    def to_python(self, literal: LiteralDict) -> Any:
        return self.user.to_python_value(self._ctx(), models.from_literal_dict(literal), self.python_type)

    def literal_type(self) -> dict[str, Any]:
        return self.user.get_literal_type(self.python_type).to_dict()
