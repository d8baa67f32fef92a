"""`copy` entries are in place before `commands` run (flytekit's order), and `source_root` stays last.

A real build through the CLI, as a user runs it: a spec copies a local package (`textkit`) and runs it in a
command; the image then imports it. A second build after a code edit under `source_root` reuses the
command's layer (its output, a random stamp, is unchanged) while the edited file is new.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import pytest

from dockyard.config import BuildSettings
from dockyard.imagespec import ImageSpec, prepare
from dockyard.imagespec.resolve import resolve
from tests.builders.test_cli import dockyard

TEXTKIT = '''"""A tiny local package that a spec copies and a build command runs."""
import uuid


def shout(text):
    return text.upper() + "!"


def stamp(path):
    with open(path, "w") as out:
        out.write(uuid.uuid4().hex)
'''

SPEC = """\
name: copy-order-{suffix}
copy: [textkit]
source_root: app
commands:
  - python -c "import textkit; textkit.stamp('/root/stamp.txt')"
"""


def _project(folder: Path, suffix: str) -> Path:
    (folder / "textkit").mkdir(parents=True)
    (folder / "textkit" / "__init__.py").write_text(TEXTKIT)
    (folder / "app").mkdir()
    (folder / "app" / "main.py").write_text("VERSION = 1\n")
    spec = folder / "spec.yaml"
    spec.write_text(SPEC.format(suffix=suffix))
    return spec


def test_copy_lands_before_commands_and_source_last(tmp_path: Path) -> None:
    spec = ImageSpec.from_yaml(_project(tmp_path / "p", "render"))
    context = prepare(spec, BuildSettings(work_dir=tmp_path / "work"), work_dir=tmp_path / "work")
    text = context.dockerfile.read_text()
    steps = ("COPY copy/ /root/", "textkit.stamp", "COPY root/ /root/")
    assert [text.index(step) for step in steps] == sorted(text.index(step) for step in steps)
    assert (context.directory / "copy" / "textkit" / "__init__.py").is_file()
    assert (context.directory / "root" / "main.py").is_file()
    assert not (context.directory / "root" / "textkit").exists()  # copied once, in its own step


def test_a_copy_inside_source_root_is_sent_once_before_the_commands(tmp_path: Path) -> None:
    project = tmp_path / "p"
    _project(project, "inside")
    text = SPEC.format(suffix="inside").replace("source_root: app", "source_root: .")
    (project / "spec.yaml").write_text(text)
    resolved = resolve(ImageSpec.from_yaml(project / "spec.yaml"), BuildSettings(work_dir=tmp_path / "w"))
    assert "copy/textkit/__init__.py" in resolved.files
    assert "/root/textkit/__init__.py" not in resolved.files
    assert "/root/app/main.py" in resolved.files


@pytest.mark.docker
@pytest.mark.slow
def test_a_copied_package_runs_in_commands_and_a_code_edit_reruns_no_command(
    base_image: str, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:10]
    spec = _project(tmp_path, suffix)
    env = {"DOCKYARD_BUILD_DEFAULT_BASE_IMAGE": base_image}
    images: list[str] = []
    try:
        stamps = []
        for version in (1, 2):
            (tmp_path / "app" / "main.py").write_text(f"VERSION = {version}\n")
            proc = dockyard("build", str(spec), "--no-push", "--format", "json", cwd=tmp_path, env=env)
            assert proc.returncode == 0, proc.stderr[-3000:]
            image = json.loads(proc.stdout)[0]["image"]
            images.append(image)
            script = (
                "import textkit, main; print(textkit.shout('hi'), main.VERSION, open('stamp.txt').read())"
            )
            run = subprocess.run(
                ["docker", "run", "--rm", "--entrypoint", "python", image, "-c", script],
                capture_output=True, text=True, timeout=120, check=False,
            )  # fmt: skip
            assert run.returncode == 0, run.stderr
            shout, seen_version, stamp = run.stdout.split()
            assert (shout, seen_version) == ("HI!", str(version))
            stamps.append(stamp)
        assert images[0] != images[1]  # the code edit moved the tag
        assert stamps[0] == stamps[1]  # … and reused the command's layer
    finally:
        subprocess.run(["docker", "image", "rm", "--force", *images], capture_output=True, check=False)


@pytest.mark.docker
@pytest.mark.slow
def test_pip_install_in_commands_works_as_in_flytekit_images(base_image: str, tmp_path: Path) -> None:
    """flytekit's images have pip, and real specs say `pip install …` in `commands`: the venv has it too
    (from the Python's own ensurepip), and what it installs lands in the image's venv."""
    name = f"pip-commands-{uuid.uuid4().hex[:10]}"
    spec = tmp_path / "spec.yaml"
    commands = ["pip install --no-cache-dir six==1.16.0", "pwd > /opt/commands-ran-in.txt"]
    spec.write_text(f"name: {name}\ncommands: {json.dumps(commands)}\n")
    env = {"DOCKYARD_BUILD_DEFAULT_BASE_IMAGE": base_image}
    proc = dockyard("build", str(spec), "--no-push", "--format", "json", cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    image = json.loads(proc.stdout)[0]["image"]
    try:
        script = (  # commands ran in `/` as flytekit runs them; the task's own folder is /root
            "import os, six, sys; print(six.__version__, six.__file__.startswith(sys.prefix), os.getcwd(),"
            " open('/opt/commands-ran-in.txt').read())"
        )
        run = subprocess.run(
            ["docker", "run", "--rm", "--entrypoint", "python", image, "-c", script],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        assert run.stdout.split() == ["1.16.0", "True", "/root", "/"]
    finally:
        subprocess.run(["docker", "image", "rm", "--force", image], capture_output=True, check=False)
