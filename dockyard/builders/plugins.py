"""Builder plugins, found through the `dockyard.builders` entry point group (installing one adds it).

Unlike flytekit, installing a plugin never changes which builder is used: the name comes from the spec or
`settings.build.builder`, and a spec's fields are checked against the builder before anything runs.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, PackageNotFoundError, distribution, entry_points

from dockyard.builders.base import Builder
from dockyard.config import Settings
from dockyard.errors import ConfigError, SpecError

GROUP = "dockyard.builders"


def available() -> list[str]:
    """Names of every installed builder."""
    return sorted({ep.name for ep in entry_points(group=GROUP)})


def _registered(name: str) -> list[EntryPoint]:
    """dockyard's own builders first (reading one distribution's entry points is quick), then every
    installed distribution's (a scan of all their metadata: tens of milliseconds)."""
    try:
        own = [ep for ep in distribution("dockyard").entry_points if ep.group == GROUP and ep.name == name]
    except PackageNotFoundError:
        own = []
    return own or [ep for ep in entry_points(group=GROUP) if ep.name == name]


def load_builder(name: str, settings: Settings) -> Builder:
    """Construct the builder registered as `name`; an unknown name lists the available ones."""
    found = _registered(name)
    if not found:
        raise ConfigError(
            f"builder {name!r} is not installed (available: {', '.join(available()) or 'none'})"
        )
    try:
        cls = found[0].load()
    except ImportError as exc:
        raise ConfigError(f"builder {name!r} cannot be loaded: {exc}") from None
    builder: Builder = cls(settings)
    return builder


def check_fields(builder: Builder, fields_used: frozenset[str], *, image: str) -> None:
    """Refuse a spec that sets a field the builder would silently ignore."""
    unsupported = sorted(fields_used - builder.supported_fields)
    if unsupported:
        names = ", ".join(unsupported)
        raise SpecError(f"{image}: the {builder.name} builder does not support {names}")
