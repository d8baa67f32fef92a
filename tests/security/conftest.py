"""The hostile-but-fair fixtures: a project with links and secrets around it, an index that needs a
password, a watcher of every process's argv, and a scan of every layer of a pushed image."""

from __future__ import annotations

import gzip
import subprocess
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass
class ProcWatch:
    """Reads /proc/*/cmdline of every process, over and over, while a build runs.

    Build steps run in containers on this kernel, so their processes (uv included) are in this /proc."""

    needles: tuple[bytes, ...]
    seen: set[bytes] = field(default_factory=set)  # every argv read, NULs as spaces
    hits: list[bytes] = field(default_factory=list)  # the argvs holding a needle
    _stop: threading.Event = field(default_factory=threading.Event)

    def _scan(self) -> None:
        while not self._stop.is_set():
            for path in Path("/proc").glob("[0-9]*/cmdline"):
                try:
                    argv = path.read_bytes().replace(b"\0", b" ")
                except OSError:
                    continue
                if argv and argv not in self.seen:
                    self.seen.add(argv)
                    if any(n in argv for n in self.needles):
                        self.hits.append(argv)

    def saw(self, fragment: bytes) -> bool:
        return any(fragment in argv for argv in self.seen)

    def __enter__(self) -> ProcWatch:
        self._thread = threading.Thread(target=self._scan, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def image_blobs(image_ref: str, folder: Path) -> list[tuple[str, bytes]]:
    """Every file of `docker save` of the pushed image (pulled back from the registry), gzip undone:
    layer tars, the config (labels, history) and the manifests."""
    archive = folder / "image.tar"
    subprocess.run(["docker", "pull", "-q", image_ref], check=True, capture_output=True, timeout=300)
    subprocess.run(["docker", "save", "-o", str(archive), image_ref], check=True, timeout=300)
    found = []
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is None:
                continue
            data = handle.read()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            found.append((member.name, data))
    archive.unlink()
    return found


def layer_paths(blobs: list[tuple[str, bytes]]) -> set[str]:
    """The path of every entry of every layer tar among the blobs."""
    import io

    paths: set[str] = set()
    for _, data in blobs:
        try:
            with tarfile.open(fileobj=io.BytesIO(data)) as layer:
                paths.update(m.name for m in layer.getmembers())
        except tarfile.TarError:
            continue
    return paths


def files_under(folder: Path) -> Iterator[tuple[Path, bytes]]:
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            yield path, path.read_bytes()


@pytest.fixture
def proc_watch() -> type[ProcWatch]:
    return ProcWatch
