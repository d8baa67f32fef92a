"""Private folders for secrets on the client host: 0700, per user, named by their owning process.

A build's secrets (index URLs with credentials) and a task's secret files (the driver's AWS credentials,
`Secret` requests) are written to disk only here: `$XDG_RUNTIME_DIR/dockyard` (a per-user tmpfs where
there is one), else `<tmp>/dockyard-<uid>`. Each folder is `<kind>-<pid>-<start>-<random>`: the process
that made it removes it when done (`with private_dir(...)`, or `remove`), and one killed before it could
(SIGKILL, OOM, power) leaves a folder that the next dockyard command's `sweep` removes, because its
owner, the pid with that start time, is gone. Shared by the builders and the runtime, like `errors.py`.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dockyard.errors import ConfigError

_NAME = re.compile(r"(?P<kind>[a-z]+)-(?P<pid>[0-9]+)-(?P<start>[0-9]+)-[a-z0-9_]+")


def runtime_root() -> Path:
    """The user's private runtime folder, made 0700 when missing and refused when anyone else could
    reach into it (another owner, a symlink, group or other permissions)."""
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    root = (
        Path(xdg) / "dockyard"
        if xdg and Path(xdg).is_dir()
        else Path(tempfile.gettempdir()) / f"dockyard-{os.getuid()}"
    )
    try:
        root.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(root)
    except OSError as exc:
        raise ConfigError(f"{root}: cannot make the private runtime folder ({exc.strerror})") from None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise ConfigError(
            f"{root}: the private runtime folder must be a directory of uid {os.getuid()} with mode 0700"
        )
    return root


def _start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), None when gone.

    With the pid it names one process for good: a pid reused later has another start time."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(text.rsplit(")", 1)[1].split()[19])


def _own_start() -> int:
    return _start_time(os.getpid()) or 0


def sweep(root: Path | None = None) -> list[Path]:
    """Remove the folders whose owning process is gone; returns what was removed."""
    root = root or runtime_root()
    removed = []
    for entry in root.iterdir():
        match = _NAME.fullmatch(entry.name)
        if match is None or not entry.is_dir() or entry.is_symlink():
            continue
        start = int(match["start"])
        alive = _start_time(int(match["pid"]))
        if alive is None or (start and alive != start):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def create(kind: str) -> Path:
    """A fresh 0700 folder for `kind` ("build", "task") owned by this process; sweeps dead ones first."""
    root = runtime_root()
    sweep(root)
    return Path(tempfile.mkdtemp(prefix=f"{kind}-{os.getpid()}-{_own_start()}-", dir=root))


def remove(folder: Path | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def private_dir(kind: str) -> Iterator[Path]:
    """A private folder that is gone when the block ends, however it ends (short of SIGKILL: see sweep)."""
    folder = create(kind)
    try:
        yield folder
    finally:
        remove(folder)
