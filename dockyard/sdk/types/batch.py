"""flytekit's `BatchSize`: `Annotated[list[T], BatchSize(n)]` hints how many items to store per chunk.

dockyard stores a list in one literal, so the hint is recorded and does not change the value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BatchSize:
    val: int
