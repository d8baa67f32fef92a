"""The Builder interface that every builder plugin implements (entry point group `dockyard.builders`).

Plugins are constructed as `cls(settings)` (a `dockyard.config.Settings`); `build` may be called from several
threads at once. `on_step` receives the name of each build step as it starts (for progress displays).
`cancel()` is optional: when present, the engine calls it from the main thread on Ctrl-C to stop every build
in flight; `build` then raises KeyboardInterrupt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Protocol

from dockyard.builders.registry import Present, RegistryClient
from dockyard.config import BuildSettings
from dockyard.errors import BuildError
from dockyard.imagespec.context import BuildContext

StepHook = Callable[[str], None]
# gzip at level 1: most of a cold build's export is compressing ~1 GB of layers, and level 1 took a cold ML
# build from 64 s to 47 s for 10% more bytes (benchmarks/RESULTS.md); zstd keeps BuildKit's own level.
_DEFAULT_LEVELS = {"gzip": 1}
# SOURCE_DATE_EPOCH of a reproducible push, for the image config's dates; the rendered Dockerfile dates the
# layers' files to the same epoch itself (docs/builders.md, "Reproducible builds").
REPRODUCIBLE_EPOCH = 0


@dataclass(frozen=True)
class BuildResult:
    digest: str  # "sha256:…", verified in the registry when pushed
    image_ref: str  # "repo@sha256:…" when pushed, else the local tag
    logs: str


class Builder(Protocol):
    name: ClassVar[str]
    supported_fields: ClassVar[frozenset[str]]

    def build(self, context: BuildContext, *, push: bool, on_step: StepHook | None = None) -> BuildResult: ...


def image_output(context: BuildContext, build: BuildSettings, *, push: bool) -> str:
    """BuildKit's image exporter options, one spelling for every builder: every layer (the base's too)
    recompressed to the chosen compression and level, and OCI media types (zstd layers need them, and
    without an attestation BuildKit would otherwise push Docker's manifest list instead of an OCI index)."""
    compression = build.compression
    output = f"type=image,name={context.image},push={'true' if push else 'false'},compression={compression}"
    if compression != "uncompressed":
        level = build.compression_level
        if level is None:
            level = _DEFAULT_LEVELS.get(compression)
        if level is not None:
            output += f",compression-level={level}"
        output += ",force-compression=true"
    return output + ",oci-mediatypes=true"


def cache_ref(context: BuildContext) -> str:
    """The BuildKit registry cache of an image's repository."""
    return f"{context.repository}:buildcache"


def verified_result(
    registry: RegistryClient, context: BuildContext, digest: str, logs: str, *, push: bool
) -> BuildResult:
    """The BuildResult of a finished build; when pushed, only once the registry holds that very digest."""
    if not push:
        return BuildResult(digest=digest, image_ref=context.image, logs=logs)
    answer = registry.lookup(context.image)
    if not isinstance(answer, Present) or answer.digest != digest:
        found = answer.digest if isinstance(answer, Present) else "nothing"
        raise BuildError(f"{context.image}: pushed {digest} but the registry holds {found}")
    return BuildResult(digest=digest, image_ref=f"{context.repository}@{digest}", logs=logs)
