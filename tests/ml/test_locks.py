"""Lock files: `dockyard lock` compiles for the target platform and Python (real uv against PyPI), a stale
lock is an error before any build, lock bytes are in the hash, and the Dockerfile installs from the locks.
conda-lock itself needs a conda channel, which this machine cannot reach."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from dockyard.config import BuildSettings
from dockyard.errors import SpecError
from dockyard.imagespec import ImageSpec, render_dockerfile, resolve
from dockyard.imagespec.lock import compile_conda, conda_environment, lock_paths

SPEC = """\
name: ml-lock
python_version: "3.10"
platform: linux/arm64
packages:
  - six
  - "tomli; python_version < '3.11'"
  - "uvloop; platform_machine == 'aarch64'"
"""
CONDA_CHANNEL = "https://conda.anaconda.org/conda-forge"


def _dockyard(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "dockyard"), *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
    )


@pytest.fixture
def locked(project: Path) -> Path:
    (project / "ml.yaml").write_text(SPEC)
    result = _dockyard(project, "lock", "ml.yaml", "--no-conda")
    assert result.returncode == 0, result.stderr
    assert "wrote ml.pip.lock.txt" in result.stdout
    return project


def _pins(lock: Path) -> set[str]:
    return {line.split(" ")[0] for line in lock.read_text().splitlines() if line[:1].isalpha()}


def test_lock_is_for_the_target_not_this_host(locked: Path) -> None:
    pins = {p.split("==")[0] for p in _pins(locked / "ml.pip.lock.txt")}
    # tomli only below Python 3.11 (this host runs 3.11+), uvloop only on aarch64 (this host is x86_64).
    assert pins == {"six", "tomli", "uvloop"}
    assert "--hash=sha256:" in (locked / "ml.pip.lock.txt").read_text()


def test_spec_builds_from_its_lock_and_the_lock_is_hashed(locked: Path, settings: BuildSettings) -> None:
    (locked / "ml.yaml").write_text(SPEC + "pip_lock: ml.pip.lock.txt\n")
    spec = ImageSpec.from_yaml(locked / "ml.yaml")
    resolved = resolve(spec, settings)
    assert resolved.pip_lock == "locks/ml.pip.lock.txt"
    assert "locks/ml.pip.lock.txt" in resolved.files
    text = render_dockerfile(spec, settings)
    assert "--no-deps \\\n        --requirement /tmp/dockyard-locks/ml.pip.lock.txt" in text
    assert "--requirement /tmp/dockyard-gen/packages.txt" not in text  # the lock replaces it
    before = resolved.spec_hash()
    lock = locked / "ml.pip.lock.txt"
    lock.write_text(lock.read_text() + "# reviewed\n")
    assert resolve(spec, settings).spec_hash() != before


def test_stale_lock_is_an_error_before_any_build(locked: Path, settings: BuildSettings) -> None:
    (locked / "ml.yaml").write_text(SPEC + "  - attrs\npip_lock: ml.pip.lock.txt\n")
    spec = ImageSpec.from_yaml(locked / "ml.yaml")
    with pytest.raises(SpecError, match=r"ImageSpec.pip_lock: .*ml.pip.lock.txt is stale"):
        resolve(spec, settings)
    (locked / "other.txt").write_text("six\n")
    (locked / "ml.yaml").write_text(SPEC + "pip_lock: other.txt\n")
    with pytest.raises(SpecError, match="was not written by `dockyard lock`"):
        resolve(ImageSpec.from_yaml(locked / "ml.yaml"), settings)


def test_lock_needs_the_target_python(project: Path) -> None:
    (project / "spec.yaml").write_text("packages: [six]\n")
    result = _dockyard(project, "lock", "spec.yaml", "--no-conda")
    assert result.returncode == 2
    assert "python_version: required to lock" in result.stderr


def test_lock_paths() -> None:
    assert lock_paths(Path("/p/ml.yaml")) == (Path("/p/ml.pip.lock.txt"), Path("/p/ml.conda-lock.yml"))


def test_conda_environment_for_conda_lock(project: Path) -> None:
    spec = ImageSpec(
        python_version="3.11",
        conda_packages=["numpy>=1.26"],
        conda_channels=["conda-forge", "bioconda"],
        platform="linux/amd64,linux/arm64",
    )
    settings = BuildSettings(conda_channel_mirrors={"conda-forge": "https://conda.example/cf"})
    assert conda_environment(spec, settings) == (
        "channels:\n  - https://conda.example/cf\n  - bioconda\n"
        'dependencies:\n  - "python=3.11"\n  - "numpy>=1.26"\n'
        "platforms:\n  - linux-64\n  - linux-aarch64\n"
    )


def test_conda_lock_file_is_installed_and_hashed(project: Path, settings: BuildSettings) -> None:
    (project / "env.conda-lock.yml").write_text("version: 1\nmetadata: {}\npackage: []\n")
    spec = ImageSpec(
        python_version="3.11",
        conda_packages=["numpy"],
        conda_lock="env.conda-lock.yml",
        platform="linux/amd64",
    )
    text = render_dockerfile(spec, settings)
    assert "micromamba create --yes --prefix /opt/venv --file /tmp/dockyard-locks/env.conda-lock.yml" in text
    assert "--mount=type=bind,source=locks,target=/tmp/dockyard-locks" in text
    before = resolve(spec, settings).spec_hash()
    (project / "env.conda-lock.yml").write_text("version: 1\nmetadata: {}\npackage: [changed]\n")
    assert resolve(spec, settings).spec_hash() != before
    with pytest.raises(SpecError, match=r"conda_lock: 'env.yml' must end in -lock\.yml"):
        ImageSpec(python_version="3.11", conda_packages=["numpy"], conda_lock="env.yml")


def _reachable(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=10).close()
    except OSError:
        return False
    return True


def test_conda_lock_real_run(project: Path) -> None:
    if shutil.which("conda-lock") is None or not _reachable(f"{CONDA_CHANNEL}/noarch/repodata.json"):
        pytest.skip(f"needs the conda-lock command and the channel {CONDA_CHANNEL} (unreachable here)")
    spec = ImageSpec(python_version="3.11", conda_packages=["tzdata"], platform="linux/amd64")
    output = compile_conda(spec, BuildSettings(), project / "env.conda-lock.yml")
    assert "tzdata" in output.read_text()
