"""Digests of unchanged files from an earlier read, so re-tagging a large tree stats its files instead.

git's index in small. An entry is reused only while the file's size, mtime_ns, ctime_ns, inode, device and
mode are all what they were when its bytes were hashed, so the tag stays a pure function of content: a
touched file is read again and gives the same digest, and an edit that restores the mtime still moves the
ctime, which no user can set back. An entry is recorded, under the stat taken before the read, only for a
file last changed more than `RACY_NS` before the cache was opened (a write in the same clock tick as the
read would leave the stat equal; git calls this "racily clean"), so any later write moves the ctime.
Snapshots (a build context) always read, since their bytes are copied, and record what they read.

One JSON file under `build.work_dir/stat-cache/` per project folder and set of file fields (`source_root`,
`copy`, requirements and locks), so a small spec never loads a large one's entries; it is replaced atomically,
so concurrent processes each leave a whole file. A file that does not parse or has the wrong shape is
ignored, and an entry of the wrong shape is a miss: a damaged cache costs a read, never a wrong digest.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from dockyard.imagespec.files import FileRecord, Source, read
from dockyard.imagespec.spec import ImageSpec

VERSION = 2
RACY_NS = 2_000_000_000
MAX_ENTRIES = 200_000  # past this, entries not seen in the current run are dropped on save
_ANSWER = re.compile(r"[0-9a-f]{64}:[01]")
_SHA256 = re.compile(r"[0-9a-f]{64}")

# An entry is one string, "size:mtime_ns:ctime_ns:ino:dev:mode:sha256:executable(0|1)": a 10,000-file cache
# parses three times faster than with a list per file, and a stat is checked by one string comparison.
Entry = str


def _stat_key(st: os.stat_result) -> str:
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}:{st.st_mode}:"


def _answer(entry: object, key: str) -> str | None:
    """The "sha256:executable" an entry gives for a file whose stat is `key`, if its shape and stat fit."""
    if isinstance(entry, str) and entry.startswith(key):
        answer = entry[len(key) :]
        if _ANSWER.fullmatch(answer):
            return answer
    return None


def _load(path: Path) -> dict[str, Entry]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if (
        not isinstance(data, dict)
        or data.get("version") != VERSION
        or not isinstance(data.get("entries"), dict)
    ):
        return {}
    return data["entries"]


class StatCache:
    """Digests by absolute path for one project folder; `save()` writes back what changed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries = _load(path)
        self._seen: set[str] = set()
        self._changed = False
        self._started = time.time_ns()  # before every read through this cache

    @classmethod
    def for_spec(cls, work_dir: Path, spec: ImageSpec) -> StatCache:
        fields = [spec.source_root, spec.copy, spec.requirements, spec.pip_lock, spec.conda_lock]
        scope = json.dumps([os.path.realpath(spec.base_dir), fields])
        return cls(Path(work_dir) / "stat-cache" / f"{hashlib.sha256(scope.encode()).hexdigest()[:32]}.json")

    def digest(self, source: Source, snapshot_dir: Path | None = None) -> FileRecord:
        """files.digest, answered from the cache when the file's stat is unchanged and nothing is copied.

        A path with no entry is opened at once (its stat comes from the open descriptor): a cold tree
        costs one syscall less per file than stat-then-read."""
        path = os.fspath(source.path)
        self._seen.add(path)
        entry = self._entries.get(path)
        if snapshot_dir is None and entry is not None:
            try:
                now = os.stat(path)
            except OSError:
                now = None  # the read below names the file and the error
            answer = now and _answer(entry, _stat_key(now))
            if now and answer:
                return FileRecord(sha256=answer[:64], size=now.st_size, executable=answer[65] == "1")
        record, st = read(source, snapshot_dir)
        # Recorded under the stat taken before the read: a write during or after it moves the ctime past
        # that stat's (which is older than the window), so the entry cannot answer for the new content.
        if max(st.st_mtime_ns, st.st_ctime_ns) < self._started - RACY_NS and record.size == st.st_size:
            fresh = f"{_stat_key(st)}{record.sha256}:{int(record.executable)}"
            self._changed |= entry != fresh
            self._entries[path] = fresh
        elif entry is not None:
            self._changed = True
            del self._entries[path]
        return record

    def save(self) -> None:
        """Write the entries back atomically if any changed; a cache that cannot be written is skipped."""
        if not self._changed:
            return
        entries = self._entries
        if len(entries) > MAX_ENTRIES:
            entries = {p: e for p, e in entries.items() if p in self._seen}
        if _write_atomic(self.path, {"version": VERSION, "entries": entries}):
            self._changed = False


def remembered(path: Path, files: list[tuple[str, os.stat_result]], compute: Callable[[], str]) -> str:
    """One digest over many files (`compute` reads them), kept in `path` under a stamp of all their stats
    and recomputed when any stat moved: the rule of the entries above, for a single answer. The stats are
    taken before `compute` reads, and the answer is kept only when every file is older than the racy
    window, so an edit during the read, or one in the same clock tick, is never hidden."""
    started = time.time_ns()
    stamp = hashlib.sha256("\0".join(f"{name}\0{_stat_key(st)}" for name, st in files).encode()).hexdigest()
    try:
        kept = json.loads(path.read_bytes())
        if (
            isinstance(kept, dict)
            and kept.get("stamp") == stamp
            and _SHA256.fullmatch(str(kept.get("digest")))
        ):
            return str(kept["digest"])
    except (OSError, ValueError):
        pass
    value = compute()
    if all(max(st.st_mtime_ns, st.st_ctime_ns) < started - RACY_NS for _, st in files):
        _write_atomic(path, {"stamp": stamp, "digest": value})
    return value


def _write_atomic(path: Path, data: object) -> bool:
    """Replace `path` with the JSON of `data` (a private folder, a whole file or none); False if it cannot."""
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".stat-", suffix=".tmp")
        with os.fdopen(handle, "w") as out:
            out.write(json.dumps(data, separators=(",", ":")))
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        return False
    return True
