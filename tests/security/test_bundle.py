"""Code bundles (`dockyard run --remote`, `dockyard register`) obey the image's rules for source files:
a symlink inside the project is bundled as its content, one that leaves it is refused before anything is
built or uploaded, with one line naming the link and its target."""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from dockyard.errors import SpecError
from dockyard.runtime.bundle import build_bundle

DOCKYARD = str(Path(sys.executable).parent / "dockyard")
WORKFLOW = """
from dockyard import task, workflow

@task
def hello(name: str) -> str:
    return "hello " + name

@workflow
def wf(name: str = "ada") -> str:
    return hello(name=name)
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "wf.py").write_text(WORKFLOW)
    (root / "helpers.py").write_text("VALUE = 'inside'\n")
    (root / "alias.py").symlink_to("helpers.py")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("outside-secret")
    return root


def test_a_link_inside_is_bundled_as_its_content(project: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(build_bundle(project)))) as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert members["alias.py"].isfile()
        handle = tar.extractfile(members["alias.py"])
        assert handle is not None and handle.read() == b"VALUE = 'inside'\n"


@pytest.mark.parametrize("target", ["outside/secret.txt", "outside", "/etc"])
def test_a_link_outside_is_refused(project: Path, target: str) -> None:
    link = project / "leak"
    link.symlink_to(target if target.startswith("/") else project.parent / target)
    with pytest.raises(SpecError, match=rf"^source_root: {link} is a symlink to .*, outside the project"):
        build_bundle(project)


@pytest.mark.parametrize("command", [["run", "--remote", "wf.py", "wf"], ["register", "wf.py"]])
def test_the_cli_refuses_before_building_or_uploading(
    project: Path, tmp_path: Path, command: list[str]
) -> None:
    (project / "leak").symlink_to(project.parent / "outside" / "secret.txt")
    store = tmp_path / "store"
    env = {
        **os.environ,
        "DOCKYARD_STORE_URL": f"file://{store}",
        "DOCKYARD_BUILD_WORK_DIR": str(tmp_path / "work"),
        "DOCKYARD_BUILD_REGISTRY": "127.0.0.1:9",  # nothing may be asked of a registry: this one is closed
    }
    result = subprocess.run(
        [DOCKYARD, *command], cwd=project, capture_output=True, text=True, env=env, timeout=120
    )
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and f"{project / 'leak'} is a symlink to" in lines[0]
    assert str(project.parent / "outside" / "secret.txt") in lines[0]
    assert not (store / "bundles").exists() and not (tmp_path / "work" / "contexts").exists()
