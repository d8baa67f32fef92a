"""How the dockyard runtime gets into every image: the client's own version, so both sides agree.

A release is installed from the package index as `dockyard==VERSION`. Any other version (a dev or local
build) is installed from a wheel: built with uv from the checkout the client runs from (an editable or
source install), or, when the client was itself installed from a wheel, rebuilt from the installed
distribution's own files (its package folder and its METADATA and entry points), so a `pip install
dockyard-*.whl` builds images too. `build.runtime_source` may instead name a wheel file to install, or a
package index holding the client's version. The wheel is cached by a digest of what it is made from, and
that digest (not the wheel, whose build is not needed to compute a tag) is what the image hash records.

Whatever the source, the image installs dockyard without its dependencies and then only what
`dockyard-execute` needs (`runtime.image_install`, the one definition of that set), plus the extras the
settings name (`build.runtime_extras`: the S3 client, the kubernetes client, the whole CLI).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import os
import stat
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict

import dockyard
from dockyard.errors import BuildError
from dockyard.imagespec import grammar
from dockyard.imagespec.stat_cache import remembered
from dockyard.imagespec.uv_binary import uv_executable
from dockyard.version import __version__


class RuntimeInstall(BaseModel):
    """The hashed description of the dockyard runtime in the image."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    source_sha256: (
        str | None
    )  # set for a non-release version: the digest of the sources the wheel is built from
    index: str | None = None  # build.runtime_source naming an index (credentials refused)
    extras: tuple[str, ...] = ()  # build.runtime_extras, sorted


# RuntimeInstall fields added after the first images: left out of the hash at their default.
ADDED_DEFAULTS: dict[str, object] = {"index": None, "extras": []}


def is_index(source: str) -> bool:
    """A `build.runtime_source` that names a package index rather than a wheel file."""
    return source.startswith(("http://", "https://", "file://"))


def _index(source: str) -> str:
    try:
        url = grammar.index_url(source)
    except ValueError as exc:
        raise BuildError(f"build.runtime_source: {exc}") from None
    if grammar.has_credentials(url):
        raise BuildError(
            f"build.runtime_source: {grammar.redact_url(url)}: an index with credentials is not supported "
            "here; set UV_INDEX_URL-style credentials on build.pip_index_url instead"
        )
    return url.rstrip("/")


def is_release(version: str) -> bool:
    try:
        parsed = Version(version)
    except InvalidVersion:
        return False
    return not parsed.is_devrelease and parsed.local is None


def _package_root() -> Path:
    """The folder the imported dockyard package sits in: a checkout, or site-packages."""
    return Path(dockyard.__file__).resolve().parent.parent


def is_checkout(root: Path) -> bool:
    return (root / "pyproject.toml").is_file()


def _metadata_files(root: Path) -> list[Path]:
    """The installed distribution's METADATA and entry points (what a rebuilt wheel needs besides code)."""
    try:
        dist = importlib.metadata.distribution("dockyard")
    except importlib.metadata.PackageNotFoundError:
        raise BuildError(
            f"dockyard {__version__} is not a release, and {root} is neither a checkout nor an installed "
            "distribution; set build.runtime_source to a dockyard wheel"
        ) from None
    wanted = [f for f in dist.files or () if f.parent.name.endswith(".dist-info")]
    found = [Path(str(dist.locate_file(f))) for f in wanted if f.name in ("METADATA", "entry_points.txt")]
    if not any(f.name == "METADATA" for f in found):
        raise BuildError(f"the installed dockyard {__version__} has no METADATA; reinstall it")
    return sorted(found, key=lambda f: f.name)


def _source_files(root: Path) -> list[tuple[str, str, os.stat_result]]:
    """(name in the digest, file, stat) of each file that makes the wheel, in the digest's order: the
    checkout's pyproject.toml, README.md and package, or the installed package with its METADATA and
    entry points. Plain strings, not Paths: every repeat tag of a dev checkout runs this over ~250 files."""
    top = os.fspath(root)
    checkout = is_checkout(root)
    names = ("pyproject.toml", "README.md") if checkout else ()
    candidates = [(n, os.path.join(top, n)) for n in names]
    _package_files(os.path.join(top, "dockyard"), "dockyard", candidates)
    if not checkout:
        candidates += [(f"dist-info/{p.name}", str(p)) for p in _metadata_files(root)]
    found = []
    for rel, path in candidates:
        try:
            st = os.stat(path)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            found.append((rel, path, st))
    return found


def _package_files(folder: str, prefix: str, out: list[tuple[str, str]]) -> None:
    """Append (relative name, path) of a folder's files, sorted, then of each sub-folder's in name order
    (what `os.walk` with sorted names gives, for a third of its cost): no `__pycache__`, no bytecode, and
    a linked folder is not entered; an unreadable folder is skipped."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    folders = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if entry.name != "__pycache__" and not entry.is_symlink():
                folders.append(entry)
        elif not entry.name.endswith((".pyc", ".pyo")):
            out.append((f"{prefix}/{entry.name}", entry.path))
    for entry in folders:
        _package_files(entry.path, f"{prefix}/{entry.name}", out)


def _digest(entries: Iterable[tuple[str, bytes]]) -> str:
    """The sources digest: sha256 over (relative path, length, content) of each file, in order."""
    h = hashlib.sha256()
    for rel, data in entries:
        h.update(f"{rel}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


@cache
def _sources_digest(stamp: tuple[tuple[str, str, int, int], ...]) -> str:
    return _digest((rel, Path(path).read_bytes()) for rel, path, _size, _mtime in stamp)


def sources_digest(root: Path, work_dir: Path | None = None) -> str:
    """sha256 over (path, length, content) of the files that make the wheel; memoised in process by size
    and mtime and, with a `work_dir`, across processes by every file's stat (`stat_cache.remembered`), so a
    no-change check of a dev checkout stats ~250 files instead of reading them."""
    found = _source_files(root)
    stamp = tuple((rel, path, st.st_size, st.st_mtime_ns) for rel, path, st in found)
    if work_dir is None:
        return _sources_digest(stamp)
    memo = Path(work_dir) / "stat-cache" / "runtime-sources.json"
    return remembered(memo, [(path, st) for _, path, st in found], lambda: _sources_digest(stamp))


def runtime_install(
    source: str | None = None, extras: Iterable[str] = (), work_dir: Path | None = None
) -> RuntimeInstall:
    """The runtime going into images: `source` (build.runtime_source) when it names a wheel or an index,
    else the client's own version (from the index when a release), with the extras asked for."""
    chosen = tuple(sorted(set(extras)))
    if source is not None and is_index(source):
        return RuntimeInstall(version=__version__, source_sha256=None, index=_index(source), extras=chosen)
    if source is not None:
        wheel = Path(source)
        return RuntimeInstall(version=wheel_version(wheel), source_sha256=_file_sha256(wheel), extras=chosen)
    if is_release(__version__):
        return RuntimeInstall(version=__version__, source_sha256=None, extras=chosen)
    digest = sources_digest(_package_root(), work_dir)
    return RuntimeInstall(version=__version__, source_sha256=digest, extras=chosen)


def wheel_version(wheel: Path) -> str:
    """The version in a dockyard wheel's file name (PEP 427: name-version-...)."""
    parts = wheel.name.split("-")
    if not wheel.name.endswith(".whl") or len(parts) < 5 or parts[0] != "dockyard":
        raise BuildError(f"build.runtime_source: {wheel} is not a dockyard wheel (dockyard-VERSION-...whl)")
    try:
        return str(Version(parts[1]))
    except InvalidVersion:
        raise BuildError(f"build.runtime_source: {wheel} has no valid version in its name") from None


def _file_sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise BuildError(f"build.runtime_source: {path}: {exc.strerror}") from None


def wheel_name(version: str) -> str:
    """The file name `uv build` gives the dockyard wheel of a version (PEP 427, pure Python)."""
    return f"dockyard-{Version(version)}-py3-none-any.whl"


def _snapshot_sources(root: Path, dest: Path) -> str:
    """Copy the wheel's sources to dest, hashing them in the same read (the `sources_digest` scheme)."""

    def copied() -> Iterator[tuple[str, bytes]]:
        for rel, path, _stat in _source_files(root):
            data = Path(path).read_bytes()
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / rel).write_bytes(data)
            yield rel, data

    return _digest(copied())


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _zip_installed(snapshot: Path, out: Path) -> None:
    """A pure-Python wheel of an installed distribution's snapshot: the package, its METADATA and entry
    points, a WHEEL file and a RECORD, with fixed timestamps so the same files give the same bytes."""
    info = f"dockyard-{Version(__version__)}.dist-info"
    entries: list[tuple[str, bytes]] = [
        (p.relative_to(snapshot).as_posix(), p.read_bytes())
        for p in sorted((snapshot / "dockyard").rglob("*"))
        if p.is_file()
    ]
    entries += [(f"{info}/{p.name}", p.read_bytes()) for p in sorted((snapshot / "dist-info").iterdir())]
    wheel = "Wheel-Version: 1.0\nGenerator: dockyard\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    entries.append((f"{info}/WHEEL", wheel.encode()))
    record = "".join(f"{name},{_record_hash(data)},{len(data)}\n" for name, data in entries)
    entries.append((f"{info}/RECORD", (record + f"{info}/RECORD,,\n").encode()))
    partial = out.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    partial.replace(out)


def _build_checkout(root: Path, snapshot: Path, out: Path) -> None:
    proc = subprocess.run(
        [uv_executable(), "build", "--wheel", "--quiet", "--out-dir", str(out), str(snapshot)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 or not list(out.glob("dockyard-*.whl")):
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise BuildError(f"building the dockyard wheel from {root} failed: {' | '.join(tail)}")


def needs_wheel(source: str | None) -> bool:
    """Whether images get the runtime from a wheel file (named, or made here) rather than an index."""
    return (source is None and not is_release(__version__)) or (source is not None and not is_index(source))


def runtime_wheel(
    cache_dir: Path, source: str | None = None, extras: Iterable[str] = ()
) -> tuple[RuntimeInstall, Path]:
    """The runtime wheel and its description: `source` (build.runtime_source, a wheel file) as it is,
    else a wheel of the checkout (built with the client's uv) or of the installed distribution, once per
    source digest.

    The wheel is made from a snapshot of the sources, so it matches the digest even while they change.
    """
    if source is not None:
        if not Path(source).is_file():
            raise BuildError(f"build.runtime_source: {source} does not exist")
        return runtime_install(source, extras), Path(source)
    root = _package_root()
    with tempfile.TemporaryDirectory(prefix="dockyard-src-") as scratch:
        digest = _snapshot_sources(root, Path(scratch))
        install = RuntimeInstall(version=__version__, source_sha256=digest, extras=tuple(sorted(set(extras))))
        out = cache_dir / "dockyard-wheels" / digest
        out.mkdir(parents=True, exist_ok=True)
        from filelock import FileLock  # the client's: task images build no wheel

        with FileLock(str(out) + ".lock"):
            wheels = sorted(out.glob("dockyard-*.whl"))
            if not wheels:
                if is_checkout(root):
                    _build_checkout(root, Path(scratch), out)
                else:
                    _zip_installed(Path(scratch), out / wheel_name(__version__))
                wheels = sorted(out.glob("dockyard-*.whl"))
            return install, wheels[0]
