"""Which host files a spec sends to the build, and their digests (optionally copying them while reading).

Every file is keyed by where it lands and in which step: `copy/<path>` for `copy` entries (at
`/root/<path>`, put in place before `commands` run, as flytekit does), `/root/<path>` for the rest of
`source_root` (the last layer, so a code edit re-runs no command), `deps/<path>` for files that only feed an
install step (requirements and their `-r`/`-c` includes, a lock file with its `pyproject.toml`).
Reading a file once both hashes it and, when a snapshot directory is given, copies it, so the digest
describes exactly the bytes that are sent.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from dockyard.errors import SpecError
from dockyard.imagespec.spec import LOCK_FILES, ImageSpec

IMAGE_ROOT = "/root"  # where source_root and copy land; WORKDIR of every image
COPY_PREFIX = "copy/"  # keys of `copy` entries, which land under IMAGE_ROOT before the commands
_ALWAYS_IGNORED = [".git/", "__pycache__/", "*.pyc", "*.pyo"]
_NEVER_FOLDERS = frozenset({".git", "__pycache__"})  # `_ALWAYS_IGNORED` by kind: folders, then suffixes
_NEVER_SUFFIXES = (".pyc", ".pyo")
_CHUNK = 1 << 20
_INCLUDE_RE = re.compile(r"^(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+|(?=[^\s=-]))(?P<path>\S+)$")
_LOCAL_RE = re.compile(r"^(?:-e|--editable)\b|^(?:\.{1,2}|~)?/|^file:")
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


class FileRecord(BaseModel):
    """What the hash knows about one file: its content digest, its length and whether it is executable."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: str
    size: int
    executable: bool


class Source(NamedTuple):
    """One file to send (a tuple: a large tree makes one per file, and a frozen dataclass costs more)."""

    key: str  # "/root/app/x.py", "copy/pkg/x.py" or "deps/requirements.txt"
    path: Path | str  # the host file (a string from a large walk: a Path per file costs more than its read)


def context_path(key: str) -> str:
    """Where a keyed file sits inside the build context directory."""
    return key.lstrip("/")


def _never(rel: str) -> bool:
    """`_ALWAYS_IGNORED` as gitignore reads it (a relative path; a folder ends in "/"): a folder named
    `.git` or `__pycache__` at any depth, anything named `*.pyc`/`*.pyo`, and everything below them. Written
    out so that a tree without ignore files needs no pathspec (tests/imagespec/test_files.py compares)."""
    parts = rel.split("/")
    return any(p in _NEVER_FOLDERS for p in parts[:-1]) or any(p.endswith(_NEVER_SUFFIXES) for p in parts)


def _matcher(lines: list[str]) -> Callable[[str], bool]:
    """Whether a relative path (a folder ends in "/") is ignored by these gitignore-style lines.

    Most paths match no ignoring pattern at all, so that is checked first, with one search joining the
    patterns' own regexes; only a path one of them matches goes through pathspec's ordered, last-match-wins
    reading (negations). No lines, or only `_ALWAYS_IGNORED`, need no pathspec (it is a part of a no-change
    check's start-up).
    """
    if not lines:
        return lambda rel: False
    if lines == _ALWAYS_IGNORED:
        return _never
    import pathspec  # the client's: task images snapshot no files
    from pathspec.pattern import RegexPattern

    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    if not all(isinstance(p, RegexPattern) for p in spec.patterns):
        return spec.match_file
    ignoring = [p.regex for p in spec.patterns if isinstance(p, RegexPattern) and p.include and p.regex]
    if not ignoring:
        return lambda rel: False
    try:  # one search for all of them: group names (pathspec's "ps_d") would clash, and only a hit matters
        any_ignoring = re.compile("|".join(f"(?:{_NAMED_GROUP.sub('(', r.pattern)})" for r in ignoring))
    except re.error:
        return spec.match_file

    def ignored(rel: str) -> bool:
        return any_ignoring.search(rel) is not None and spec.match_file(rel)

    return ignored


@dataclass(frozen=True)
class _Filter:
    """The ignore rules of a source root: what never belongs in an image, then `.gitignore` and
    `.dockerignore`.

    `.dockerignore` is read as Docker reads it: patterns are anchored at the root, and an exception
    (`!data/schema.json`) re-includes a file even below an excluded folder (`data/`), so such a folder is
    still entered when an exception's fixed start could lead into it (git cannot re-include there)."""

    never: Callable[[str], bool]
    ignored: Callable[[str], bool]
    reopened: tuple[str, ...]  # the literal start of each `.dockerignore` exception, up to a wildcard

    def skips_folder(self, rel: str) -> bool:
        """Whether the walk stays out of a folder (`rel` ends in "/")."""
        if self.never(rel):
            return True
        return self.ignored(rel) and not any(p.startswith(rel) or rel.startswith(p) for p in self.reopened)


def _ignore_spec(root: Path, extra: tuple[str, ...] = ()) -> _Filter:
    lines: list[str] = []
    gitignore = root / ".gitignore"
    if gitignore.is_file():
        lines += gitignore.read_text(errors="replace").splitlines()
    reopened: list[str] = []
    dockerignore = root / ".dockerignore"
    if dockerignore.is_file():
        for raw in dockerignore.read_text(errors="replace").splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            body = line[1:] if negate else line
            body = body.removeprefix("./").lstrip("/")
            lines.append(("!" if negate else "") + "/" + body)
            if negate:
                reopened.append(re.split(r"[*?\[\\]", body, maxsplit=1)[0])
    return _Filter(_matcher([*_ALWAYS_IGNORED, *extra]), _matcher(lines), tuple(reopened))


def inside(path: Path, root: Path, field: str) -> Path:
    """`path` with every symlink followed, refused unless it stays inside `root` (itself resolved).

    Only the project leaves the host: a link that escapes is an error naming the link and its target,
    never a silent copy of a host file into a layer."""
    real = Path(os.path.realpath(path))
    top = Path(os.path.realpath(root))
    if real != top and not real.is_relative_to(top):
        how = "is a symlink to" if path.is_symlink() else "resolves to"
        raise SpecError(f"{field}: {path} {how} {real}, outside the project {top}")
    return real


def walk(
    root: Path, field: str = "source_root", project: Path | None = None, ignored: tuple[str, ...] = ()
) -> Iterator[tuple[str, Path]]:
    """(posix relative path, resolved file) for every file under root that the ignore files keep, sorted:
    `walk_paths` with Paths."""
    return ((rel, Path(real)) for rel, real in walk_paths(root, field, project, ignored))


def walk_paths(
    root: Path, field: str = "source_root", project: Path | None = None, ignored: tuple[str, ...] = ()
) -> Iterator[tuple[str, str]]:
    """(posix relative path, resolved file as a string) for every file under root that the ignore files
    keep, sorted.

    A symlink that stays inside `project` (default: root) is followed and the image gets its target's
    content, which the hash covers; one that leaves it is an error, and so is one that leads back into a
    folder being walked (the walk would never end). An excluded directory is not entered, unless a
    `.dockerignore` exception may re-include something in it (`_Filter`). `ignored`: more gitignore
    patterns that nothing re-includes (the code bundle's caches and virtualenvs).
    """
    rules = _ignore_spec(root, ignored)
    never, dropped = rules.never, rules.ignored  # per file: no method call
    boundary = project or root

    def visit(directory: Path, prefix: str, above: frozenset[tuple[int, int]]) -> Iterator[tuple[str, str]]:
        try:
            info = directory.stat()
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            raise SpecError(f"{field}: cannot read {directory}: {exc.strerror}") from None
        here = above | {(info.st_dev, info.st_ino)}
        for entry in entries:
            rel = prefix + entry.name
            is_dir = entry.is_dir()
            if rules.skips_folder(rel + "/") if is_dir else never(rel) or dropped(rel):
                continue
            real = str(inside(Path(entry.path), boundary, field)) if entry.is_symlink() else entry.path
            if is_dir:
                target = entry.stat()
                if (target.st_dev, target.st_ino) in here:
                    raise SpecError(f"{field}: symlink {entry.path} loops back to a folder above it")
                yield from visit(Path(entry.path), rel + "/", here)
            elif entry.is_file():
                yield rel, real

    yield from visit(root, "", frozenset())


def _includes(requirements: Path, seen: set[Path], project: Path) -> Iterator[Path]:
    """The file itself and every file it pulls in with -r/-c, recursively, all inside the project."""
    requirements = inside(requirements, project, "requirements")
    if requirements in seen:
        return
    seen.add(requirements)
    yield requirements
    text = requirements.read_text(errors="replace").replace("\\\n", " ")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        match = _INCLUDE_RE.match(line)
        if match:
            included = requirements.parent / match["path"]
            if not included.is_file():
                raise SpecError(
                    f"requirements: {requirements}:{number} includes {included}, which does not exist"
                )
            yield from _includes(included, seen, project)
        elif _LOCAL_RE.match(line):
            raise SpecError(
                f"requirements: {requirements}:{number}: local paths are not in the build ({line!r})"
            )


def project_file(spec: ImageSpec, relative: str, field: str) -> Path:
    """A path the spec names (already checked to be relative, with no `..`, `~` or `$`), resolved and
    required to stay inside the spec's folder after following every symlink."""
    return inside(spec.path(relative), spec.base_dir, field)


def requirement_files(spec: ImageSpec) -> tuple[str, list[Source]]:
    """(key of the entry file, sources) for the spec's requirements, laid out under `deps/`.

    Files keep their positions relative to their common folder, so `-r ../common.txt` still resolves.
    """
    assert spec.requirements is not None
    entry = project_file(spec, spec.requirements, "requirements")
    if entry.name in LOCK_FILES:
        files = [entry, inside(entry.parent / "pyproject.toml", spec.base_dir, "requirements")]
    else:
        files = list(_includes(entry, set(), spec.base_dir))
    common = Path(os.path.commonpath([f.parent for f in files]))
    sources = [Source(f"deps/{f.relative_to(common).as_posix()}", f) for f in files]
    return f"deps/{entry.relative_to(common).as_posix()}", sources


def image_files(spec: ImageSpec) -> list[Source]:
    """Files that land under /root: each `copy` entry at its own path (keyed `copy/…`), then the filtered
    source_root (keyed `/root/…`) less what a `copy` entry already puts there."""
    source: dict[str, str] = {}
    if spec.source_root is not None:
        root = project_file(spec, spec.source_root, "source_root")
        source = dict(walk_paths(root))
    copied: dict[str, str] = {}
    for item in spec.copy or ():
        src = project_file(spec, item, "copy")
        rel = Path(item).as_posix().strip("/")
        found = walk_paths(src, "copy", spec.base_dir) if src.is_dir() else [("", str(src))]
        for sub, path in found:
            dest = f"{rel}/{sub}" if sub else rel
            if dest in source and os.path.realpath(source[dest]) != os.path.realpath(path):
                raise SpecError(
                    f"copy: {item} puts {path} at {IMAGE_ROOT}/{dest},"
                    f" where source_root already puts {source[dest]}"
                )
            copied[dest] = path
    sources = [Source(f"{COPY_PREFIX}{dest}", copied[dest]) for dest in sorted(copied)]
    sources += [Source(f"{IMAGE_ROOT}/{rel}", source[rel]) for rel in sorted(source) if rel not in copied]
    return sources


def digest(source: Source, snapshot_dir: Path | None = None) -> FileRecord:
    """Hash one file, copying it into the snapshot directory in the same read when one is given."""
    return read(source, snapshot_dir)[0]


def read(source: Source, snapshot_dir: Path | None = None) -> tuple[FileRecord, os.stat_result]:
    """`digest` and the file's stat, taken on the open descriptor before the read: one open, one fstat and
    the reads (a 10,000-file tree pays per syscall). Executable means any execute bit, as the root user's
    `access(X_OK)` reads it and as the snapshot's 0755 / 0644 writes it."""
    h = hashlib.sha256()
    size = 0
    try:
        fd = os.open(source.path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            st = os.fstat(fd)
            executable = bool(st.st_mode & 0o111)
            if snapshot_dir is None:
                for chunk in _chunks(fd, st.st_size):
                    h.update(chunk)
                    size += len(chunk)
            else:
                target = snapshot_dir / context_path(source.key)
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(target, "wb") as writer:
                    for chunk in _chunks(fd, st.st_size):
                        h.update(chunk)
                        size += len(chunk)
                        writer.write(chunk)
                target.chmod(0o755 if executable else 0o644)
                os.utime(target, ns=(0, snapshot_mtime_ns(h.hexdigest())))
        finally:
            os.close(fd)
    except OSError as exc:
        raise SpecError(f"cannot read {source.path}: {exc.strerror}") from None
    return FileRecord.model_construct(sha256=h.hexdigest(), size=size, executable=executable), st


def snapshot_mtime_ns(sha256: str) -> int:
    """A snapshot file's mtime: in the epoch's first second, its nanoseconds taken from the content's digest.
    `COPY` keeps a context file's mtime, so the same content must always get the same one (reproducible
    layers); and BuildKit sends a context file again only when its size or mtime changed since the last
    build that sent a context under the same name, so an edit that keeps the size must change it."""
    return int(sha256[:15], 16) % 1_000_000_000


def _chunks(fd: int, expected: int) -> Iterator[bytes]:
    """The file's bytes to its end, asked for in reads just past the size fstat gave: a small file takes one
    read (a short one, its end) and no 1 MiB buffer mapped and unmapped; a file that grew meanwhile is read
    on to its real end."""
    done = 0
    while True:
        want = min(_CHUNK, expected - done + 1) if done <= expected else _CHUNK
        chunk = os.read(fd, want)
        if not chunk:
            return
        yield chunk
        done += len(chunk)
        if len(chunk) < want and done >= expected:
            return


def settle_times(snapshot_dir: Path) -> None:
    """Date every folder the Dockerfile `COPY`s (`copy/`, `root/`) to the epoch, as `read` dates their files
    and every `RUN` what it writes (templates/dockerfile/_macros.j2): `COPY` keeps the context's times, and
    a folder's would be the moment the snapshot wrote it."""
    for tree in ("copy", "root"):
        for folder, _, _ in os.walk(snapshot_dir / tree):
            os.utime(folder, (0, 0))


def place(src: Path, target: Path) -> None:
    """Put a tool (uv, the dockyard wheel) into a context: a hard link when possible, else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, target)
    except OSError:
        shutil.copy2(src, target)
