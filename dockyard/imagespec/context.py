"""The hand-off from the ImageSpec layer to the builders: a build context ready to send."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

BASE_NAME_LABEL = "org.opencontainers.image.base.name"  # the base image reference, among the labels


@dataclass(frozen=True)
class BuildContext:
    """Everything a builder needs, and nothing it must compute.

    The directory holds the rendered `Dockerfile` and a snapshot of every file the hash covers, so what is
    hashed is exactly what is sent. `secrets` maps a BuildKit secret id to a host file; secrets are never part
    of the context directory or the hash.
    """

    directory: Path
    image: str  # full reference, e.g. "localhost:5000/app:3f2a…"; the tag is the content hash
    tag: str
    platforms: tuple[str, ...]
    build_platform: str  # where BuildKit must run: the context's uv binary is this platform's
    labels: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, Path] = field(default_factory=dict)
    builder: str = "docker"
    builder_options: dict[str, str] = field(default_factory=dict)
    fields_used: frozenset[str] = frozenset()  # ImageSpec fields set by the user, checked against the builder

    @property
    def dockerfile(self) -> Path:
        return self.directory / "Dockerfile"

    def labeled_dockerfile(self, extra: dict[str, str] | None = None) -> str:
        """The Dockerfile with the image's labels (`extra`, then `labels`, which win) as its last instruction:
        builders hand labels to BuildKit this way, never on a command line."""
        from dockyard.imagespec.render import label_instructions

        return self.dockerfile.read_text() + label_instructions({**(extra or {}), **self.labels})

    @property
    def repository(self) -> str:
        return self.image.rsplit(":", 1)[0]
