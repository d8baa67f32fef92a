"""The build context tarball: same tree, same bytes, whatever the mtimes, owners or creation order."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import pytest

from dockyard.errors import BuildError
from dockyard.kubernetes.context_tarball import context_digest, pack_context

FILES = {
    "Dockerfile": "FROM scratch\nCOPY . /app\n",
    "b/z.txt": "zed\n",
    "a.txt": "alpha\n",
    "b/c/d.py": "print('d')\n",
    "run.sh": "#!/bin/sh\n",
}


def _write(root: Path, order: list[str], mtime: int) -> Path:
    root.mkdir()
    for name in order:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(FILES[name])
    (root / "run.sh").chmod(0o750)
    (root / "a.txt").chmod(0o600)
    for path in [root, *root.rglob("*")]:
        os.utime(path, (mtime, mtime))
    return root


def test_same_tree_same_bytes(tmp_path: Path) -> None:
    first = _write(tmp_path / "one", list(FILES), 1_600_000_000)
    second = _write(tmp_path / "two", list(reversed(FILES)), 1_700_000_000)
    (second / "a.txt").chmod(0o644)  # permission bits other than x do not matter
    packed = pack_context(first)
    assert packed == pack_context(first)
    assert packed == pack_context(second)
    assert context_digest(packed) == context_digest(pack_context(second))
    assert context_digest(packed).startswith("sha256:")


def test_content_and_exec_bit_change_the_bytes(tmp_path: Path) -> None:
    root = _write(tmp_path / "ctx", list(FILES), 0)
    before = pack_context(root)
    (root / "a.txt").write_text("alpha!\n")
    changed = pack_context(root)
    assert changed != before
    (root / "a.txt").write_text("alpha\n")
    assert pack_context(root) == before
    (root / "a.txt").chmod(0o700)
    assert pack_context(root) != before


def test_a_same_size_edit_changes_the_file_s_mtime(tmp_path: Path) -> None:
    """BuildKit sends a context file again only when its size or mtime changed."""
    root = _write(tmp_path / "ctx", list(FILES), 0)

    def mtime_of_a() -> float:
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(pack_context(root)))) as tar:
            return tar.getmember("a.txt").mtime

    before = mtime_of_a()
    (root / "a.txt").write_text("ALPHA\n")
    assert mtime_of_a() != before
    (root / "a.txt").write_text("alpha\n")
    assert mtime_of_a() == before


def test_entries_are_sorted_and_normalised(tmp_path: Path) -> None:
    root = _write(tmp_path / "ctx", list(FILES), 1_650_000_000)
    (root / "link").symlink_to("a.txt")
    raw = gzip.decompress(pack_context(root))
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        members = tar.getmembers()
        names = [m.name for m in members]
        assert names == ["Dockerfile", "a.txt", "b", "b/c", "b/c/d.py", "b/z.txt", "link", "run.sh"]
        for member in members:
            assert (member.uid, member.gid, member.uname, member.gname) == (0, 0, "", "")
            assert 0 < member.mtime < 1 if member.isreg() else member.mtime == 0  # a file's, by its content
        modes = {m.name: m.mode for m in members}
        assert modes["run.sh"] == 0o755 and modes["a.txt"] == 0o644 and modes["b"] == 0o755
        assert tar.getmember("link").issym() and tar.getmember("link").linkname == "a.txt"
        extracted = tar.extractfile("b/c/d.py")
        assert extracted is not None and extracted.read() == b"print('d')\n"


def test_gzip_header_has_no_name_or_time(tmp_path: Path) -> None:
    packed = pack_context(_write(tmp_path / "ctx", list(FILES), 0))
    assert packed[:3] == b"\x1f\x8b\x08"
    assert packed[3] == 0  # FLG: no FNAME
    assert packed[4:8] == b"\x00\x00\x00\x00"  # MTIME


def test_a_context_needs_a_dockerfile(tmp_path: Path) -> None:
    (tmp_path / "ctx").mkdir()
    with pytest.raises(BuildError, match="no Dockerfile"):
        pack_context(tmp_path / "ctx")


def test_the_digest_names_the_tar_not_its_compression(tmp_path: Path) -> None:
    packed = pack_context(_write(tmp_path / "ctx", list(FILES), 0))
    recompressed = gzip.compress(gzip.decompress(packed), compresslevel=9, mtime=0)
    assert recompressed != packed
    assert context_digest(recompressed) == context_digest(packed)
