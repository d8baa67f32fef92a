"""The dev runtime's sources digest: sha256 over (relative path, length, content) of the wheel's files in
walk order, the same whether computed for the tag or while snapshotting the sources for the wheel."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from dockyard.imagespec import stat_cache
from dockyard.imagespec.runtime_install import _snapshot_sources, _sources_digest, sources_digest


def test_digest_follows_its_documented_formula_and_matches_the_snapshot(tmp_path: Path) -> None:
    root = tmp_path / "checkout"
    files = {
        "pyproject.toml": b"[project]\nname = 'dockyard'\n",
        "README.md": b"readme\n",
        "dockyard/__init__.py": b"",
        "dockyard/b.py": b"B = 2\n",
        "dockyard/a/x.py": b"X = 1\n",
    }
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    (root / "dockyard" / "__pycache__").mkdir()
    (root / "dockyard" / "__pycache__" / "b.cpython-311.pyc").write_bytes(b"compiled")
    (root / "dockyard" / "stale.pyc").write_bytes(b"compiled")
    (root / "dockyard" / "linked").symlink_to(root / "dockyard" / "a")  # a linked folder is not entered

    order = ["pyproject.toml", "README.md", "dockyard/__init__.py", "dockyard/b.py", "dockyard/a/x.py"]
    expected = hashlib.sha256()
    for rel in order:
        expected.update(f"{rel}\0{len(files[rel])}\0".encode() + files[rel])
    assert sources_digest(root) == expected.hexdigest()
    assert _snapshot_sources(root, tmp_path / "snapshot") == expected.hexdigest()
    assert sorted(
        p.relative_to(tmp_path / "snapshot").as_posix() for p in (tmp_path / "snapshot").rglob("*.*")
    ) == sorted(order)

    (root / "dockyard" / "b.py").write_bytes(
        b"B = 30\n"
    )  # another size: the in-process memo is keyed by size and mtime
    assert sources_digest(root) != expected.hexdigest()


def test_the_digest_is_remembered_across_processes_by_every_files_stat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A no-change check of a dev checkout stats its ~250 files instead of reading them: the digest is
    kept under a stamp of their stats, believed while every stat holds (shown by a planted digest), and
    recomputed after a same-size edit whose mtime was put back (the ctime moved)."""
    monkeypatch.setattr(stat_cache, "RACY_NS", 100_000_000)
    root = tmp_path / "checkout"
    (root / "dockyard").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\n")
    module = root / "dockyard" / "a.py"
    module.write_text("A = 1\n")
    work = tmp_path / "work"
    time.sleep(0.15)
    first = sources_digest(root, work)
    memo = work / "stat-cache" / "runtime-sources.json"
    assert first == json.loads(memo.read_text())["digest"]
    _sources_digest.cache_clear()  # as a fresh process
    planted = {**json.loads(memo.read_text()), "digest": "0" * 64}
    memo.write_text(json.dumps(planted))
    assert sources_digest(root, work) == "0" * 64

    stat = module.stat()
    module.write_text("A = 2\n")
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    _sources_digest.cache_clear()
    edited = sources_digest(root, work)
    assert edited not in (first, "0" * 64)
    assert edited == sources_digest(root)  # the same formula as without the memo


def test_a_file_changed_within_the_racy_window_keeps_the_digest_out_of_the_memo(tmp_path: Path) -> None:
    root = tmp_path / "checkout"
    (root / "dockyard").mkdir(parents=True)
    (root / "dockyard" / "a.py").write_text("A = 1\n")
    sources_digest(root, tmp_path / "work")
    assert not (tmp_path / "work" / "stat-cache" / "runtime-sources.json").exists()
