"""Pack a build context directory as a deterministic .tar.gz, so one context always uploads the same bytes.

Entries are sorted, owners are 0:0 with no names, a file's mtime is taken from its content as the snapshot
dates it (`files.snapshot_mtime_ns`: `COPY` keeps it, and BuildKit sends a context file again only when its
size or mtime changed, so a same-size edit must change it) and every other entry's is 0, modes are
normalised to 0644/0755 (the executable bit is kept, since scripts copied into images rely on it) and the
gzip header carries no name or time. Two packings of equal trees give equal bytes, whatever the files'
mtimes or creation order.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile
from pathlib import Path

from dockyard.errors import BuildError
from dockyard.imagespec.files import snapshot_mtime_ns

_MTIME = 0


def _entries(root: Path) -> list[Path]:
    """Every path below `root`, sorted by its POSIX relative path (directories before their contents)."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        found.extend(base / name for name in dirnames + filenames)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def _tarinfo(path: Path, arcname: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(arcname)
    info.mtime = _MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if path.is_symlink():
        info.type = tarfile.SYMTYPE
        info.linkname = os.readlink(path)
        info.mode = 0o777
    elif path.is_dir():
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
    elif path.is_file():
        info.size = path.stat().st_size
        info.mode = 0o755 if path.stat().st_mode & 0o111 else 0o644
    else:
        raise BuildError(f"{path}: build context holds something that is not a file, directory or symlink")
    return info


def pack_context(directory: Path, dockerfile: str | None = None) -> bytes:
    """The context directory as deterministic gzip-compressed tar bytes; `dockerfile`, when given, is the
    text its Dockerfile has in the tarball (the context's own with the image labels, `labeled_dockerfile`)."""
    if not (directory / "Dockerfile").is_file():
        raise BuildError(f"{directory}: build context has no Dockerfile")
    out = io.BytesIO()
    with (
        # Level 1: contexts carry binaries (uv) that barely compress; 7x faster than 6 for 10% more bytes.
        gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=_MTIME, compresslevel=1) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for path in _entries(directory):
            info = _tarinfo(path, path.relative_to(directory).as_posix())
            if dockerfile is not None and info.name == "Dockerfile":
                text = dockerfile.encode()
                info.size = len(text)
                tar.addfile(info, io.BytesIO(text))
            elif info.isreg():
                with path.open("rb") as handle:
                    digest = hashlib.sha256()
                    for chunk in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(chunk)
                    info.mtime = snapshot_mtime_ns(digest.hexdigest()) / 1e9
                    handle.seek(0)
                    tar.addfile(info, handle)
            else:
                tar.addfile(info)
    return out.getvalue()


def context_digest(data: bytes) -> str:
    """`sha256:<hex>` of the uncompressed tar: it names the uploaded blob, so equal contexts share one,
    and the name does not change with the zlib build that compressed it."""
    return "sha256:" + hashlib.sha256(gzip.decompress(data)).hexdigest()
