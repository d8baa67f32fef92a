"""Iterators across task boundaries (flytekit's `flytekit.types.iterator`).

A task may return `Iterator[T]` (a generator, say): its items travel as a list, so a `list[T]` input can
take it. An `Iterator[T]` input is handed an iterator over the items: `JSONIterator` for `Iterator[JSON]`,
`FlyteIterator` otherwise. `JSON` is flytekit's alias for any JSON value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Dict, List, Union  # noqa: UP035 - flytekit's alias, spelt as flytekit spells it

from dockyard.sdk.types.base import Transformer
from dockyard.sdk.types.builtin import ListTransformer
from dockyard.sdk.types.errors import TypeTransformerFailedError
from dockyard.sdk.types.literal import Literal

JSON = Union[Dict[str, Any], List[Any], bool, float, int, str]  # noqa: UP006, UP007


class FlyteIterator(list[Any]):
    """An iterator over a list input's items; also a list, so it converts back to a list output."""

    def __init__(self, items: list[Any]) -> None:
        super().__init__(items)
        self._next = 0

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        if self._next >= len(self):
            raise StopIteration
        self._next += 1
        return self[self._next - 1]


class JSONIterator(FlyteIterator):
    """An iterator over JSON rows."""


class JSONTransformer(Transformer):
    """One JSON value of any shape."""

    name = "JSON"

    def to_literal(self, value: Any) -> Literal:
        try:
            return {"json": json.loads(json.dumps(value, allow_nan=False))}
        except (TypeError, ValueError) as exc:
            raise TypeTransformerFailedError(f"expected a JSON value: {exc}") from None

    def to_python(self, literal: Literal) -> Any:
        if "json" not in literal:
            raise TypeTransformerFailedError(f"expected a JSON literal, got {sorted(literal)}")
        return literal["json"]

    def literal_type(self) -> dict[str, Any]:
        return {"simple": "json"}


class IteratorTransformer(Transformer):
    """`Iterator[T]`: the items as a list literal one way, an iterator over them the other."""

    def __init__(self, item: Transformer, name: str) -> None:
        self.items = ListTransformer(item, name)
        self.name = name
        self.iterator = JSONIterator if isinstance(item, JSONTransformer) else FlyteIterator

    def to_literal(self, value: Any) -> Literal:
        if isinstance(value, str | bytes | dict) or not hasattr(value, "__iter__"):
            raise TypeTransformerFailedError(
                f"expected an iterator for {self.name}, got {type(value).__name__}"
            )
        return self.items.to_literal(list(value))

    def to_python(self, literal: Literal) -> Any:
        return self.iterator(self.items.to_python(literal))

    def literal_type(self) -> dict[str, Any]:
        return self.items.literal_type()
