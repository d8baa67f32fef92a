"""How the dockyard runtime gets into every image: the client's own version, so both sides agree.

A release is installed from the package index as `dockyard==VERSION`. Any other version (a dev or local
build) is installed from a wheel built from the checkout the client runs from. The wheel is cached by a digest
of the package sources, and that digest (not the wheel, whose build is not needed to compute a tag) is what
the image hash records.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
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


def _source_files(root: Path) -> list[tuple[str, os.stat_result]]:
    """(posix path relative to root, stat) of each file that makes the wheel, in the digest's order.

    Plain strings, not Paths: every repeat tag of a dev checkout runs this over some 250 files."""
    top = os.fspath(root)
    candidates = ["pyproject.toml", "README.md"]
    for folder, dirs, names in os.walk(os.path.join(top, "dockyard")):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        prefix = os.path.relpath(folder, top).replace(os.sep, "/")
        candidates += [f"{prefix}/{n}" for n in sorted(names) if not n.endswith((".pyc", ".pyo"))]
    found = []
    for rel in candidates:
        try:
            st = os.stat(os.path.join(top, rel))
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            found.append((rel, st))
    return found


def _digest(entries: Iterable[tuple[str, bytes]]) -> str:
    """The sources digest: sha256 over (relative path, length, content) of each file, in order."""
    h = hashlib.sha256()
    for rel, data in entries:
        h.update(f"{rel}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


@cache
def _sources_digest(root: Path, stamp: tuple[tuple[str, int, int], ...]) -> str:
    return _digest((rel, (root / rel).read_bytes()) for rel, _size, _mtime in stamp)


def sources_digest(root: Path) -> str:
    """sha256 over (path, length, content) of the files that make the wheel; memoised by size and mtime."""
    stamp = tuple((rel, st.st_size, st.st_mtime_ns) for rel, st in _source_files(root))
    return _sources_digest(root, stamp)


def runtime_install() -> RuntimeInstall:
    if is_release(__version__):
        return RuntimeInstall(version=__version__, source_sha256=None)
    return RuntimeInstall(version=__version__, source_sha256=sources_digest(checkout_root()))


def wheel_name(version: str) -> str:
    """The file name `uv build` gives the dockyard wheel of a version (PEP 427, pure Python)."""
    return f"dockyard-{Version(version)}-py3-none-any.whl"


def _snapshot_sources(root: Path, dest: Path) -> str:
    """Copy the wheel's sources to dest, hashing them in the same read (the `sources_digest` scheme)."""

    def copied() -> Iterator[tuple[str, bytes]]:
        for rel, _stat in _source_files(root):
            data = (root / rel).read_bytes()
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / rel).write_bytes(data)
            yield rel, data

    return _digest(copied())


def runtime_wheel(cache_dir: Path) -> tuple[RuntimeInstall, Path]:
    """A wheel of the checkout (built once per source digest with the client's uv) and its description.

    The wheel is built from a snapshot of the sources, so it matches the digest even while they change.
    """
    from uv import find_uv_bin

    root = checkout_root()
    with tempfile.TemporaryDirectory(prefix="dockyard-src-") as scratch:
        digest = _snapshot_sources(root, Path(scratch))
        install = RuntimeInstall(version=__version__, source_sha256=digest)
        out = cache_dir / "dockyard-wheels" / digest
        out.mkdir(parents=True, exist_ok=True)
        with FileLock(str(out) + ".lock"):
            wheels = sorted(out.glob("dockyard-*.whl"))
            if wheels:
                return install, wheels[0]
            proc = subprocess.run(
                [find_uv_bin(), "build", "--wheel", "--quiet", "--out-dir", str(out), scratch],
                capture_output=True,
                text=True,
                check=False,
            )
            wheels = sorted(out.glob("dockyard-*.whl"))
            if proc.returncode != 0 or not wheels:
                tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
                raise BuildError(f"building the dockyard wheel from {root} failed: {' | '.join(tail)}")
            return install, wheels[0]
