"""Fast registration: the code archive that `dockyard-execute flyte --additional-distribution` unpacks.

As pyflyte's: a gzipped tar of the source root (the folder the packaged modules import from), so a new
version of the code needs no new image. Deterministic (sorted names, zero mtimes and owners), so the same
code gives the same archive name, `fast<digest>.tar.gz`.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from pathlib import Path

from dockyard.sdk.project import source_root

_SKIP_DIRS = {"__pycache__", ".git", ".venv", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
_SKIP_SUFFIXES = (".pyc", ".tgz", ".tar.gz")


def _files(root: Path) -> list[Path]:
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part in _SKIP_DIRS or part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() and not path.name.endswith(_SKIP_SUFFIXES):
            out.append(path)
    return out


def archive_bytes(root: Path) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for path in _files(root):
            data = path.read_bytes()
            info = tarfile.TarInfo(path.relative_to(root).as_posix())
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def code_archive(targets: list[str]) -> tuple[str, bytes]:
    """(`fast<digest>.tar.gz`, its bytes) for the source root of the targets."""
    data = archive_bytes(source_root(targets))
    return f"fast{hashlib.sha256(data).hexdigest()[:32]}.tar.gz", data
