"""How the dockyard runtime gets into every image: the client's own version, so both sides agree.

A release is installed from the package index as `dockyard==VERSION`. Any other version (a dev or local
build) is installed from a wheel built from the checkout the client runs from. The wheel is cached by a digest
of the package sources, and that digest (not the wheel, whose build is not needed to compute a tag) is what
the image hash records.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from functools import cache
from pathlib import Path

from filelock import FileLock
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict

import dockyard
from dockyard.errors import BuildError
from dockyard.version import __version__


class RuntimeInstall(BaseModel):
    """The hashed description of the dockyard runtime in the image."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    source_sha256: (
        str | None
    )  # set for a non-release version: the digest of the sources the wheel is built from


def is_release(version: str) -> bool:
    try:
        parsed = Version(version)
    except InvalidVersion:
        return False
    return not parsed.is_devrelease and parsed.local is None


def checkout_root() -> Path:
    """The folder holding dockyard's pyproject.toml, found from the imported package."""
    root = Path(dockyard.__file__).resolve().parent.parent
    if not (root / "pyproject.toml").is_file():
        raise BuildError(
            f"dockyard {__version__} is not a release, and {root} has no pyproject.toml to build a wheel"
        )
    return root


def _source_files(root: Path) -> list[Path]:
    files = [root / "pyproject.toml", root / "README.md"]
    for folder, dirs, names in os.walk(root / "dockyard"):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        files += [Path(folder) / n for n in sorted(names) if not n.endswith((".pyc", ".pyo"))]
    return [f for f in files if f.is_file()]


@cache
def _sources_digest(root: Path, stamp: tuple[tuple[str, int, int], ...]) -> str:
    h = hashlib.sha256()
    for rel, _size, _mtime in stamp:
        data = (root / rel).read_bytes()
        h.update(f"{rel}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def sources_digest(root: Path) -> str:
    """sha256 over (path, length, content) of the files that make the wheel; memoised by size and mtime."""
    stamp = tuple(
        (f.relative_to(root).as_posix(), (st := f.stat()).st_size, st.st_mtime_ns)
        for f in _source_files(root)
    )
    return _sources_digest(root, stamp)


def runtime_install() -> RuntimeInstall:
    if is_release(__version__):
        return RuntimeInstall(version=__version__, source_sha256=None)
    return RuntimeInstall(version=__version__, source_sha256=sources_digest(checkout_root()))


def wheel_name(version: str) -> str:
    """The file name `uv build` gives the dockyard wheel of a version (PEP 427, pure Python)."""
    return f"dockyard-{Version(version)}-py3-none-any.whl"


def runtime_wheel(install: RuntimeInstall, cache_dir: Path) -> Path:
    """The wheel for a non-release runtime, built once per source digest (`uv build`, the client's uv)."""
    assert install.source_sha256 is not None
    from uv import find_uv_bin

    out = cache_dir / "dockyard-wheels" / install.source_sha256
    out.mkdir(parents=True, exist_ok=True)
    with FileLock(str(out) + ".lock"):
        wheels = sorted(out.glob("dockyard-*.whl"))
        if wheels:
            return wheels[0]
        root = checkout_root()
        proc = subprocess.run(
            [find_uv_bin(), "build", "--wheel", "--quiet", "--out-dir", str(out), str(root)],
            capture_output=True,
            text=True,
            check=False,
        )
        wheels = sorted(out.glob("dockyard-*.whl"))
        if proc.returncode != 0 or not wheels:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise BuildError(f"building the dockyard wheel from {root} failed: {' | '.join(tail)}")
        if sources_digest(root) != install.source_sha256:
            for wheel in wheels:
                wheel.unlink()
            raise BuildError(f"dockyard sources in {root} changed while its wheel was being built; retry")
        return wheels[0]
