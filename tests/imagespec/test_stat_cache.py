"""The stat cache of file digests: a repeat tag reuses digests of unchanged files, and the tag stays a pure
function of content (a touch keeps it, a same-size edit moves it, a damaged cache changes nothing)."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from dockyard.config import BuildSettings
from dockyard.imagespec import ImageSpec, files
from dockyard.imagespec import stat_cache as stat_cache_module
from dockyard.imagespec.resolve import compute_tag
from dockyard.imagespec.stat_cache import StatCache

RACY_NS = 100_000_000


@pytest.fixture(autouse=True)
def short_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 0.1 s window instead of 2 s, so the tests wait for their files to age out of it quickly."""
    monkeypatch.setattr(stat_cache_module, "RACY_NS", RACY_NS)


def aged() -> None:
    time.sleep(RACY_NS / 1e9 * 1.5)


def spec() -> ImageSpec:
    return ImageSpec(name="cached", source_root="app", packages=["six"])


def cache_of(settings: BuildSettings, project: Path) -> Path:
    assert spec().base_dir == project
    return StatCache.for_spec(settings.work_dir, spec()).path


def fresh_tag(tmp_path: Path, settings: BuildSettings) -> str:
    """The tag with no cache at all: every file read."""
    return compute_tag(spec(), settings.model_copy(update={"work_dir": tmp_path / f"empty-{time.time_ns()}"}))


def test_touch_keeps_the_tag_and_a_same_size_edit_moves_it(
    project: Path, settings: BuildSettings, tmp_path: Path
) -> None:
    aged()
    before = compute_tag(spec(), settings)
    entries = json.loads(cache_of(settings, project).read_text())["entries"]
    assert str(project / "app" / "main.py") in entries and len(entries) == 2
    assert before == fresh_tag(tmp_path, settings)

    main = project / "app" / "main.py"
    stat = main.stat()
    earlier = stat.st_mtime_ns - 5_000_000_000
    os.utime(main, ns=(earlier, earlier))  # mtime alone
    aged()
    assert compute_tag(spec(), settings) == before
    entries = json.loads(cache_of(settings, project).read_text())["entries"]
    assert entries[str(main)].split(":")[1] == str(earlier)  # recorded again with the new stat

    main.write_text("print('HELLO')\n")  # same size, and the mtime put back: only ctime and content moved
    os.utime(main, ns=(earlier, earlier))
    assert main.stat().st_size == stat.st_size
    edited = compute_tag(spec(), settings)
    assert edited != before
    assert edited == fresh_tag(tmp_path, settings)


def test_a_warm_tag_answers_from_the_cache_without_reading(project: Path, settings: BuildSettings) -> None:
    """Shown by a planted digest: an entry whose stat still matches is believed, so the file was not read
    (what git's index does too; the cache lives in the user's private work folder)."""
    aged()
    before = compute_tag(spec(), settings)
    path = cache_of(settings, project)
    data = json.loads(path.read_text())
    key = str(project / "app" / "util.py")
    data["entries"][key] = data["entries"][key][:-66] + "0" * 64 + ":0"
    path.write_text(json.dumps(data))
    assert compute_tag(spec(), settings) != before


@pytest.mark.parametrize(
    "damage",
    [
        b"{not json",
        b"\xff\xfe",
        b"[]",
        json.dumps({"version": 99, "entries": {}}).encode(),
        json.dumps({"version": 2, "entries": []}).encode(),
    ],
)
def test_a_damaged_cache_is_ignored_and_rewritten(
    project: Path, settings: BuildSettings, tmp_path: Path, damage: bytes
) -> None:
    aged()
    path = cache_of(settings, project)
    path.parent.mkdir(parents=True)
    path.write_bytes(damage)
    assert compute_tag(spec(), settings) == fresh_tag(tmp_path, settings)
    assert len(json.loads(path.read_text())["entries"]) == 2


@pytest.mark.parametrize(
    "entry",
    [
        lambda stat: "short",
        lambda stat: ["a", "list"],
        lambda stat: None,
        lambda stat: f"{stat}{'z' * 64}:0",
        lambda stat: f"{stat}{'0' * 64}:yes",
        lambda stat: f"{stat}{'0' * 64}",
        lambda stat: f"{stat}{'0' * 64}:0:extra",
        lambda stat: f"{int(stat.split(':')[0]) + 1}:{stat.split(':', 1)[1]}{'0' * 64}:0",
    ],
    ids=["short", "a-list", "null", "bad-digest", "bad-flag", "no-flag", "trailing", "other-size"],
)
def test_an_entry_of_the_wrong_shape_or_stat_is_a_miss(
    project: Path, settings: BuildSettings, tmp_path: Path, entry: Callable[[str], object]
) -> None:
    aged()
    main = project / "app" / "main.py"
    st = main.stat()
    stat = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}:{st.st_mode}:"
    path = cache_of(settings, project)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"version": 2, "entries": {str(main): entry(stat)}}))
    assert compute_tag(spec(), settings) == fresh_tag(tmp_path, settings)


def test_a_file_changed_within_the_racy_window_is_not_recorded(
    project: Path, settings: BuildSettings
) -> None:
    aged()
    (project / "app" / "util.py").write_text("VALUE = 2\n")
    compute_tag(spec(), settings)
    entries = json.loads(cache_of(settings, project).read_text())["entries"]
    assert str(project / "app" / "main.py") in entries
    assert str(project / "app" / "util.py") not in entries


def test_no_temporary_file_is_left_and_the_folder_is_private(project: Path, settings: BuildSettings) -> None:
    aged()
    compute_tag(spec(), settings)
    folder = cache_of(settings, project).parent
    names = {p.name for p in folder.iterdir()}
    assert cache_of(settings, project).name in names
    assert not [n for n in names if n.startswith(".stat-")]  # beside it at most the runtime sources' memo
    assert folder.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("size", [0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 << 20])
def test_one_descriptor_read_hashes_every_byte(tmp_path: Path, size: int) -> None:
    """The read asks for just past fstat's size, so sizes at and around the 1 MiB chunk are the edges."""
    data = os.urandom(size)
    path = tmp_path / "blob"
    path.write_bytes(data)
    snapshot = tmp_path / "context"
    record = files.digest(files.Source("/root/blob", str(path)), snapshot)
    assert (record.sha256, record.size) == (hashlib.sha256(data).hexdigest(), size)
    assert (snapshot / "root" / "blob").read_bytes() == data


def test_a_file_that_grows_after_its_stat_is_read_to_its_end(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_bytes(b"x" * 10)
    fd = os.open(path, os.O_RDONLY)
    try:
        with path.open("ab") as more:
            more.write(b"y" * 5000)
        assert b"".join(files._chunks(fd, 10)) == b"x" * 10 + b"y" * 5000
    finally:
        os.close(fd)


@pytest.mark.parametrize(
    ("mode", "executable"), [(0o644, False), (0o744, True), (0o654, True), (0o600, False)]
)
def test_any_execute_bit_makes_a_file_executable(tmp_path: Path, mode: int, executable: bool) -> None:
    path = tmp_path / "tool"
    path.write_text("#!/bin/sh\n")
    path.chmod(mode)
    assert files.digest(files.Source("/root/tool", str(path))).executable is executable
