"""The dev runtime's sources digest: sha256 over (relative path, length, content) of the wheel's files in
walk order, the same whether computed for the tag or while snapshotting the sources for the wheel."""

from __future__ import annotations

import hashlib
from pathlib import Path

from dockyard.imagespec.runtime_install import _snapshot_sources, sources_digest


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
