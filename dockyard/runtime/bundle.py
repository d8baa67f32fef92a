"""Code bundles: the user's source as a deterministic tar.gz, stored by content so a source-only change
re-runs in the same image (fast registration: no rebuild, only a new bundle).

Deterministic means the same tree gives the same bytes: sorted entries, zero mtimes, root owner, fixed
modes, a gzip header with no name or time. What goes in follows the image's rules for `source_root`
(`imagespec.files.walk`): `.gitignore` and `.dockerignore` honoured, a symlink inside the root bundled as
its content, one that leads outside refused (docs/security.md).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

from dockyard.errors import ConfigError, ExecutionError, StoreError
from dockyard.runtime.blobstore.base import Store

_DIGEST_NAME = re.compile(r"([0-9a-f]{64})\.tar\.gz")  # `bundle_uri`'s names: bundles/<sha256>.tar.gz
ALWAYS_IGNORED = (
    ".git/",
    "__pycache__/",
    "*.pyc",
    ".venv/",
    ".mypy_cache/",
    ".pytest_cache/",
    ".ruff_cache/",
)


def _walk(root: Path) -> list[tuple[str, Path]]:
    """The image's walk of a source root (imagespec.files.walk), so a bundle obeys the same rules: ignore
    files, a symlink inside the root bundled as its content, one that leaves the root an error naming it."""
    from dockyard.imagespec.files import walk  # on the client only: task images unpack, never bundle

    return list(walk(root, "source_root", ignored=ALWAYS_IGNORED))


def bundle_files(root: Path) -> list[Path]:
    """Files that go into the bundle, relative to `root`, sorted."""
    return [Path(rel) for rel, _ in _walk(Path(root).resolve())]


def loaded_modules(root: Path) -> list[Path]:
    """The Python files under `root` that this process has imported (pyflyte's `--copy auto`), relative to
    `root`, with each package's `__init__.py` up to the root so the packages import in the container."""
    root = Path(root).resolve()
    found: set[Path] = set()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if not file or not file.endswith(".py"):
            continue
        path = Path(file).resolve()
        if not path.is_relative_to(root) or any(p.name in (".venv", "site-packages") for p in path.parents):
            continue
        rel = path.relative_to(root)
        found.add(rel)
        for parent in rel.parents:
            if (root / parent / "__init__.py").is_file() and parent != Path("."):
                found.add(parent / "__init__.py")
    return sorted(found)


def build_bundle(root: Path, only: list[Path] | None = None) -> bytes:
    """The tar.gz bytes of `root` (or of those of its files `only` names, relative to it: the ignore files
    and link rules still apply); equal trees give equal bytes."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise ExecutionError(f"{root}: source root is not a directory")
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for rel, real in _walk(root):
            if only is not None and Path(rel) not in only:
                continue
            data = real.read_bytes()
            info = tarfile.TarInfo(rel)
            info.size = len(data)
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mode = 0o755 if real.stat().st_mode & 0o111 else 0o644
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def bundle_uri(data: bytes, store: Store) -> str:
    """Where a bundle lives: named by its content, so a dry run can name it without uploading."""
    return _uri(hashlib.sha256(data).hexdigest(), store)


def _uri(sha256: str, store: Store) -> str:
    return store.url_for("bundles", f"{sha256}.tar.gz")


def upload_bundle(
    root: Path, store: Store, *, expected_sha256: str | None = None, only: list[Path] | None = None
) -> str:
    """Store the bundle at `bundles/<sha256>.tar.gz` (once) and return its URI.

    `expected_sha256`: the digest a serialized document recorded. Nothing is built when the store has that
    bundle already, and sources that changed since the document was made are an error, not a mismatch."""
    if expected_sha256 is not None and store.exists(uri := _uri(expected_sha256, store)):
        return uri
    data = build_bundle(root, only)
    uri = bundle_uri(data, store)
    if expected_sha256 is not None and uri != _uri(expected_sha256, store):
        raise ConfigError(f"{root}: the sources changed since they were serialized; serialize them again")
    if not store.exists(uri):
        store.write_bytes(uri, data)
    return uri


def fetch_bundle(uri: str, store: Store, dest: Path) -> Path:
    """Download and unpack a bundle into `dest`, refusing members that would land outside it and an
    archive whose content is not the digest its name says."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dockyard-bundle-") as tmp:
        archive = store.get(uri, Path(tmp) / "bundle.tar.gz")
        named = _DIGEST_NAME.fullmatch(uri.rsplit("/", 1)[-1])
        if named and hashlib.sha256(archive.read_bytes()).hexdigest() != named.group(1):
            raise StoreError(f"{uri}: the bundle's content does not match the digest in its name")
        try:
            with tarfile.open(archive, "r:gz") as tar:
                for member in tar.getmembers():
                    target = (dest / member.name).resolve()
                    if not member.isfile() or not target.is_relative_to(dest.resolve()):
                        raise StoreError(f"{uri}: bundle member {member.name!r} is not a file under the root")
                if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4; members were checked above anyway
                    tar.extractall(dest, filter="data")
                else:  # pragma: no cover - older interpreters in task images
                    tar.extractall(dest)
        except tarfile.TarError as exc:
            raise StoreError(f"{uri}: not a readable code bundle: {exc}") from None
    return dest


def read_only_copy(uri: str, store: Store, dest: Path) -> Path:
    """A bundle unpacked once for many attempts (a warm container's, docs/reuse.md): write permission
    taken away, so an attempt that writes next to its code fails instead of changing the next one's."""
    fetch_bundle(uri, store, dest)
    for path in (dest, *dest.rglob("*")):
        path.chmod(path.stat().st_mode & ~0o222)
    return dest


def working_copy(unpacked: Path, dest: Path) -> Path:
    """A writable copy of an unpacked bundle in `dest`: what an attempt's working folder starts with."""
    for path in sorted(unpacked.rglob("*")):
        target = dest / path.relative_to(unpacked)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            target.chmod(path.stat().st_mode | 0o200)
    dest.mkdir(parents=True, exist_ok=True)
    return dest


def ship_code(root: Path, store: Store, copy: str) -> str | None:
    """pyflyte's `--copy`: `all` ships the source root, `auto` only the Python modules this process loaded
    from it, `none` nothing (the images hold the code); returns the bundle's URI, if any."""
    if copy == "none":
        return None
    return upload_bundle(root, store, only=loaded_modules(root) if copy == "auto" else None)
