"""`.dockerignore` is read as Docker reads it: the same tree sent as a real build context to Docker gives the
same files as dockyard's walk of a `source_root` (exceptions below excluded folders, root anchoring, `**`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from dockyard.imagespec.files import walk_paths
from tests.conftest import BASE_IMAGE

pytestmark = [pytest.mark.docker]

DOCKERIGNORE = """\
# what a service repository keeps out of its image
data/
!data/schema.json
*.log
**/*.tmp
docs/*.md
!docs/index.md
/build
node_modules
.env*
!.env.example
"""
FILES = [
    "app/main.py",
    "app/b.log",  # `*.log` is anchored at the root
    "app/cache/x.tmp",
    "x.tmp",
    "a.log",
    "data/schema.json",  # re-included below the excluded data/
    "data/sub/schema.json",
    "data/raw/part-0.csv",
    "docs/index.md",
    "docs/guide.md",
    "docs/api/ref.md",
    "build/out.bin",
    "node_modules/pkg/index.js",
    ".env",
    ".env.local",
    ".env.example",
    "README.md",
]


def _docker_context(root: Path, dockerfile: Path) -> set[str]:
    """The files Docker itself puts in the build context of `root`."""
    dockerfile.write_text(f"FROM {BASE_IMAGE}\nCOPY . /ctx\nRUN find /ctx -type f\n")
    command = ["docker", "buildx", "build", "--progress", "plain", "--no-cache", "-o", "type=cacheonly"]
    built = subprocess.run(
        [*command, "-f", str(dockerfile), str(root)], capture_output=True, text=True, timeout=300
    )
    assert built.returncode == 0, built.stderr[-3000:]
    found = [line.split("/ctx/", 1)[1] for line in built.stderr.splitlines() if " /ctx/" in line]
    return set(found)


def test_source_root_walk_matches_dockers_build_context(base_image: str, tmp_path: Path) -> None:
    root = tmp_path / "service"
    for name in FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    (root / ".dockerignore").write_text(DOCKERIGNORE)
    walked = {rel for rel, _ in walk_paths(root)}
    assert "data/schema.json" in walked and "data/raw/part-0.csv" not in walked
    assert walked == _docker_context(root, tmp_path / "Dockerfile")
