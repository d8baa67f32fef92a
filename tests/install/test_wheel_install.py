"""dockyard installed the way users install it: a wheel in a fresh venv outside the checkout.

The plain install (no `[build]` extra) refuses to build with one line naming the extra (exit 2); with the
extra it puts its own runtime into an image (a wheel rebuilt from the installed distribution, since a dev
version is no release and there is no checkout to build from), and that image runs dockyard-execute.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, env=env, timeout=900, check=False
    )


def test_a_wheel_installed_outside_the_checkout_builds_and_runs_a_task_image(
    tmp_path_factory: pytest.TempPathFactory, base_image: str
) -> None:
    from dockyard.imagespec.uv_binary import uv_executable

    root = tmp_path_factory.mktemp("wheel-install")
    built = _run(uv_executable(), "build", "--wheel", "--quiet", "--out-dir", root / "dist", REPO, cwd=root)
    assert built.returncode == 0, built.stderr
    (wheel,) = (root / "dist").glob("dockyard-*.whl")
    venv = root / "venv"
    assert _run(sys.executable, "-m", "venv", venv, cwd=root).returncode == 0
    plain = _run(venv / "bin" / "pip", "install", "--quiet", wheel, cwd=root)
    assert plain.returncode == 0, plain.stderr

    project = root / "project"  # outside the checkout: nothing there to build a wheel from
    project.mkdir()
    (project / "spec.yaml").write_text(
        f"name: wheel-install-{uuid.uuid4().hex[:10]}\nbase_image: {base_image}\nregistry: localhost:5000\n"
    )
    env = {**os.environ, "DOCKYARD_BUILD_WORK_DIR": str(root / "work")}
    env.pop("VIRTUAL_ENV", None)
    if CA_BUNDLE.is_file():
        env["DOCKYARD_BUILD_CA_BUNDLE"] = str(CA_BUNDLE)
    dockyard = venv / "bin" / "dockyard"

    for command in (["build", "spec.yaml"], ["exists", "spec.yaml"], ["render", "spec.yaml"]):
        refused = _run(dockyard, *command, cwd=project, env=env)
        assert refused.returncode == 2, (command, refused.stderr)
        assert refused.stderr.strip() == (
            "error: the build tools are not installed: pip install 'dockyard[build]'"
        ), refused.stderr

    extra = _run(venv / "bin" / "pip", "install", "--quiet", f"{wheel}[build]", cwd=root)
    assert extra.returncode == 0, extra.stderr
    build = _run(dockyard, "build", "spec.yaml", "--format", "json", cwd=project, env=env)
    assert build.returncode == 0, build.stderr
    (row,) = json.loads(build.stdout)
    assert row["built"] is True
    version = _run(venv / "bin" / "python", "-c", "import dockyard; print(dockyard.__version__)", cwd=root)
    probe = (
        "import importlib.metadata as m, dockyard.runtime.entrypoint as e; "
        "print(m.version('dockyard')); e.parse_args(['--help'])"
    )
    inside = _run("docker", "run", "--rm", row["image_ref"], "python", "-c", probe, cwd=root)
    assert inside.returncode == 0, inside.stderr
    assert inside.stdout.splitlines()[0] == version.stdout.strip()
    assert "usage" in inside.stdout.lower()
    again = _run(dockyard, "exists", "spec.yaml", cwd=project, env=env)
    assert again.returncode == 0, again.stderr
