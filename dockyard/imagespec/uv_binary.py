"""The uv binary each target platform's RUN steps use, so no helper image is ever pulled.

For the client's own platform it is the binary of the client's `uv` package. For another platform it is the
same uv version's wheel for that platform, fetched once from the package index (the PEP 691 JSON simple
API), checked against the sha256 the index publishes, and cached. The context holds one binary per
`TARGETARCH` (`uv/amd64/uv`, `uv/arm64/uv`), which the Dockerfile bind-mounts by that build argument.
"""

from __future__ import annotations

import hashlib
import io
import ssl
import zipfile
from importlib.metadata import version as dist_version
from pathlib import Path

from filelock import FileLock

from dockyard.config import BuildSettings
from dockyard.errors import BuildError, SpecError
from dockyard.imagespec.resolve import host_platform

PYPI_SIMPLE = "https://pypi.org/simple"
# TARGETARCH → the machine name in manylinux wheel tags.
WHEEL_MACHINES = {
    "amd64": "x86_64",
    "arm64": "aarch64",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "386": "i686",
}


def target_arch(platform: str) -> str:
    """BuildKit's TARGETARCH for an `os/arch[/variant]` platform; only Linux, and no variants."""
    parts = platform.split("/")
    if parts[0] != "linux" or len(parts) != 2 or parts[1] not in WHEEL_MACHINES:
        raise SpecError(
            f"ImageSpec.platform: {platform} is not supported (linux/ and one of {', '.join(WHEEL_MACHINES)})"
        )
    return parts[1]


def _verify(settings: BuildSettings) -> ssl.SSLContext | bool:
    """The build's CA bundle when one is set (a TLS-intercepting proxy), else the default trust."""
    return ssl.create_default_context(cafile=str(settings.ca_bundle)) if settings.ca_bundle else True


def _wheel(uv_version: str, machine: str, settings: BuildSettings) -> tuple[str, str, str]:
    """(file name, URL, sha256) of the manylinux uv wheel for a machine, from the index's JSON listing."""
    import httpx

    index = (settings.pip_index_url or PYPI_SIMPLE).rstrip("/")
    verify = _verify(settings)
    try:
        resp = httpx.get(
            f"{index}/uv/",
            headers={"Accept": "application/vnd.pypi.simple.v1+json"},
            follow_redirects=True,
            timeout=60,
            verify=verify,
        )
        resp.raise_for_status()
        files = resp.json()["files"]
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise BuildError(f"uv {uv_version} for {machine}: cannot list uv wheels at {index}: {exc}") from None
    prefix = f"uv-{uv_version}-"
    candidates = sorted(
        (f for f in files if f["filename"].startswith(prefix) and f["filename"].endswith(".whl")),
        key=lambda f: f["filename"],
    )
    for entry in candidates:
        name = entry["filename"]
        if "manylinux" in name and f"_{machine}." in name and "sha256" in entry.get("hashes", {}):
            return name, str(httpx.URL(resp.url).join(entry["url"])), entry["hashes"]["sha256"]
    raise BuildError(f"uv {uv_version}: {index} has no manylinux wheel for {machine}")


def _fetch(uv_version: str, arch: str, settings: BuildSettings) -> Path:
    import httpx

    target = settings.work_dir / "uv" / f"{uv_version}-{arch}" / "uv"
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if target.is_file():
            return target
        name, url, sha256 = _wheel(uv_version, WHEEL_MACHINES[arch], settings)
        verify = _verify(settings)
        try:
            resp = httpx.get(url, follow_redirects=True, timeout=300, verify=verify)
            resp.raise_for_status()
        except httpx.HTTPError as exc:
            raise BuildError(f"uv {uv_version} for {arch}: cannot download {name}: {exc}") from None
        if hashlib.sha256(resp.content).hexdigest() != sha256:
            raise BuildError(f"uv {uv_version} for {arch}: {name} does not match the index's sha256")
        with zipfile.ZipFile(io.BytesIO(resp.content)) as wheel:
            member = f"uv-{uv_version}.data/scripts/uv"
            try:
                data = wheel.read(member)
            except KeyError:
                raise BuildError(f"uv {uv_version} for {arch}: {name} has no {member}") from None
        partial = target.with_suffix(".partial")
        partial.write_bytes(data)
        partial.chmod(0o755)
        partial.replace(target)
        return target


def uv_binaries(platforms: tuple[str, ...], settings: BuildSettings) -> dict[str, Path]:
    """TARGETARCH → the uv binary to mount for that platform."""
    from uv import find_uv_bin

    native = target_arch(host_platform())
    found: dict[str, Path] = {}
    for platform in platforms:
        arch = target_arch(platform)
        if arch not in found:
            found[arch] = (
                Path(find_uv_bin()) if arch == native else _fetch(dist_version("uv"), arch, settings)
            )
    return found
