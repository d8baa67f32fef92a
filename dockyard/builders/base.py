"""The Builder interface that every builder plugin implements (entry point group `dockyard.builders`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

from dockyard.imagespec.context import BuildContext


@dataclass(frozen=True)
class BuildResult:
    digest: str  # "sha256:…", verified in the registry when pushed
    image_ref: str  # "repo@sha256:…" when pushed, else the local tag
    logs: str


class Builder(Protocol):
    name: ClassVar[str]
    supported_fields: ClassVar[frozenset[str]]

    def build(self, context: BuildContext, *, push: bool) -> BuildResult: ...
