"""Rules that resolve, lock, prepare and the uv download share: which platforms a spec targets and which
package indexes it installs from. They live below those modules so that imports point one way."""

from __future__ import annotations

import platform as host

from dockyard.config import BuildSettings
from dockyard.imagespec.spec import ImageSpec


def host_platform() -> str:
    """The Linux platform this machine's architecture runs natively, in OCI spelling (macOS says arm64)."""
    machine = host.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"linux/{arch}"


def target_platforms(spec: ImageSpec) -> tuple[str, ...]:
    """The platforms a spec is built (and locked) for: the declared ones, else this machine's."""
    return spec.platforms or (host_platform(),)


def package_indexes(spec: ImageSpec, settings: BuildSettings) -> tuple[str | None, tuple[str, ...]]:
    """The package index (the spec's, else the setting's) and the extra indexes, the spec's first, once each.

    Positions in the extra tuple matter: prepare names the credential secret of each by its position."""
    index = spec.pip_index or settings.pip_index_url
    extra = tuple(dict.fromkeys((*(spec.pip_extra_index_url or ()), *settings.pip_extra_index_urls)))
    return index, extra
