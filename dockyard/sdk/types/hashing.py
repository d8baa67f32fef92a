"""Cache keys from literals: `hash_literals`, and `HashMethod` to choose a value's hash (as in flytekit).

Files, folders and data frames are hashed by content where the content is at hand, so an identical input
hits the cache even though each run stores it under a new path.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from dockyard.sdk.types import transfer
from dockyard.sdk.types.base import Transformer
from dockyard.sdk.types.literal import Literal

T = TypeVar("T")


class HashMethod(Generic[T]):
    """`Annotated[T, HashMethod(fn)]`: the cache key uses `fn(value)` instead of the value itself."""

    def __init__(self, function: Callable[[T], str]) -> None:
        self._function = function

    def calculate(self, obj: T) -> str:
        return self._function(obj)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HashMethod) and other._function is self._function

    def __hash__(self) -> int:
        return hash(self._function)


class HashedTransformer(Transformer):
    """Wraps a transformer and records `HashMethod`'s hash in the literal's `hash` key."""

    def __init__(self, inner: Transformer, method: HashMethod[Any]) -> None:
        self.inner = inner
        self.method = method
        self.name = inner.name

    def to_literal(self, value: Any) -> Literal:
        literal = self.inner.to_literal(value)
        literal["hash"] = str(self.method.calculate(value))
        return literal

    def to_python(self, literal: Literal) -> Any:
        return self.inner.to_python(literal)

    def literal_type(self) -> dict[str, Any]:
        return self.inner.literal_type()


def _file_digest(path: Path, digest: Any) -> None:
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)


def content_hash(uri: str) -> str:
    """sha256 of a local file or folder tree (names and bytes); the URI itself for remote data."""
    local = transfer.local_path_of(uri)
    path = Path(local) if local is not None else None
    if path is None or not path.exists():
        return "uri:" + uri
    digest = hashlib.sha256()
    if path.is_file():
        _file_digest(path, digest)
    else:
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                file = Path(root) / name
                digest.update(file.relative_to(path).as_posix().encode() + b"\0")
                _file_digest(file, digest)
    return "sha256:" + digest.hexdigest()


def _canonical(literal: Any) -> Any:
    """The literal with every `hash` standing in for its value and stored data replaced by its content."""
    if not isinstance(literal, dict):
        return literal
    if "hash" in literal:
        return {"hash": literal["hash"]}
    if "list" in literal:
        return {"list": [_canonical(x) for x in literal["list"]]}
    if "map" in literal:
        return {"map": {k: _canonical(v) for k, v in literal["map"].items()}}
    if "record" in literal:
        return {"record": {k: _canonical(v) for k, v in literal["record"].items()}}
    if "union" in literal:
        return {"union": {**literal["union"], "value": _canonical(literal["union"]["value"])}}
    for kind in ("blob", "structured", "pickle"):
        if kind in literal and "uri" in literal[kind]:
            body = {k: v for k, v in literal[kind].items() if k != "uri"}
            return {kind: {**body, "content": content_hash(literal[kind]["uri"])}}
    return literal


def hash_literals(literals: dict[str, Literal]) -> str:
    """A stable sha256 of named input literals, for cache keys."""
    canonical = {name: _canonical(lit) for name, lit in literals.items()}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
