"""The uv binary every RUN step mounts: one, for the platform BuildKit runs on, never a helper image.

uv runs as a native process of the build machine in every stage, whatever the target platform: the kernel
runs an ELF of its own architecture directly, and only the target's Python goes through QEMU. (uv itself under
qemu-user can deadlock, every thread parked on a futex.) A foreign target's root file system has no
loader for the build machine's glibc, so those builds, and builds on a machine other than this one, use uv's
static musl binary: the same uv version's musllinux wheel, fetched once from the package index (the PEP 691
JSON simple API), checked against the sha256 the index publishes, and cached. A native build on Linux uses the
client's own `uv` package binary, with nothing to download.
"""

from __future__ import annotations

import hashlib
import sys
from importlib.metadata import PackageNotFoundError
from pathlib import Path
from typing import TYPE_CHECKING

from dockyard.config import BuildSettings
from dockyard.errors import BuildError, ConfigError, SpecError
from dockyard.imagespec.targets import host_platform
from dockyard.version import installed_version

if TYPE_CHECKING:  # ssl and zipfile only for a download: a tag check starts without them
    import ssl

PYPI_SIMPLE = "https://pypi.org/simple"
# Build-machine architecture (BuildKit's BUILDARCH) → the machine name in musllinux wheel tags.
WHEEL_MACHINES = {
    "amd64": "x86_64",
    "arm64": "aarch64",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "386": "i686",
}


def build_arch(platform: str) -> str:
    """The architecture of a build machine's `linux/<arch>` platform, one uv publishes a static binary for."""
    parts = platform.split("/")
    if parts[0] != "linux" or len(parts) != 2 or parts[1] not in WHEEL_MACHINES:
        supported = ", ".join(f"linux/{arch}" for arch in WHEEL_MACHINES)
        raise ConfigError(f"setting build.build_platform: {platform} is not supported ({supported})")
    return parts[1]


def check_targets(platforms: tuple[str, ...]) -> None:
    """Targets may be any Linux platform the builder can run (natively or through QEMU)."""
    for platform in platforms:
        if not platform.startswith("linux/"):
            raise SpecError(f"ImageSpec.platform: {platform} is not supported (only linux/ images are built)")


def _verify(settings: BuildSettings) -> ssl.SSLContext | bool:
    """The build's CA bundle when one is set (a TLS-intercepting proxy), else the default trust."""
    import ssl

    return ssl.create_default_context(cafile=str(settings.ca_bundle)) if settings.ca_bundle else True


def _wheel(uv_version: str, machine: str, settings: BuildSettings) -> tuple[str, str, str]:
    """(file name, URL, sha256) of the musllinux uv wheel for a machine, from the index's JSON listing."""
    import httpx

    index = (settings.pip_index_url or PYPI_SIMPLE).rstrip("/")
    try:
        resp = httpx.get(
            f"{index}/uv/",
            headers={"Accept": "application/vnd.pypi.simple.v1+json"},
            follow_redirects=True,
            timeout=60,
            verify=_verify(settings),
        )
        resp.raise_for_status()
        files = resp.json()["files"]
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise BuildError(f"uv {uv_version} for {machine}: cannot list uv wheels at {index}: {exc}") from None
    prefix = f"uv-{uv_version}-"
    for entry in sorted(files, key=lambda f: f["filename"]):
        name = entry["filename"]
        if (
            name.startswith(prefix)
            and name.endswith(f"musllinux_1_1_{machine}.whl")
            and "sha256" in entry.get("hashes", {})
        ):
            return name, str(httpx.URL(resp.url).join(entry["url"])), entry["hashes"]["sha256"]
    raise BuildError(f"uv {uv_version}: {index} has no musllinux wheel for {machine}")


def _fetch_static(uv_version: str, arch: str, settings: BuildSettings) -> Path:
    import httpx

    target = settings.work_dir / "uv" / f"{uv_version}-musl-{arch}" / "uv"
    target.parent.mkdir(parents=True, exist_ok=True)
    from filelock import FileLock  # the client's: task images fetch no uv

    with FileLock(str(target) + ".lock"):
        if target.is_file():
            return target
        name, url, sha256 = _wheel(uv_version, WHEEL_MACHINES[arch], settings)
        try:
            resp = httpx.get(url, follow_redirects=True, timeout=300, verify=_verify(settings))
            resp.raise_for_status()
        except httpx.HTTPError as exc:
            raise BuildError(f"uv {uv_version} for {arch}: cannot download {name}: {exc}") from None
        if hashlib.sha256(resp.content).hexdigest() != sha256:
            raise BuildError(f"uv {uv_version} for {arch}: {name} does not match the index's sha256")
        import io
        import zipfile

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


BUILD_EXTRA_HINT = "the build tools are not installed: pip install 'dockyard[build]'"


def uv_version() -> str:
    """The client's uv version (hashed into every tag); a ConfigError naming the extra when uv is absent."""
    try:
        return installed_version("uv")
    except PackageNotFoundError:
        raise ConfigError(BUILD_EXTRA_HINT) from None


def uv_executable() -> str:
    """The client's uv binary (it builds, locks and is mounted into native builds)."""
    try:
        from uv import find_uv_bin
    except ImportError:
        raise ConfigError(BUILD_EXTRA_HINT) from None
    return find_uv_bin()


def build_platform(settings: BuildSettings) -> str:
    """The platform BuildKit runs on: the configured one (a remote or in-cluster builder), else this one."""
    return settings.build_platform or host_platform()


def build_uv(platforms: tuple[str, ...], settings: BuildSettings) -> Path:
    """The uv binary to mount in every RUN step of a build for these target platforms."""
    check_targets(platforms)
    builder = build_platform(settings)
    arch = build_arch(builder)
    native = sys.platform == "linux" and builder == host_platform()
    if native and all(p == builder for p in platforms):
        return Path(uv_executable())
    return _fetch_static(uv_version(), arch, settings)
