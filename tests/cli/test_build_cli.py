"""`dockyard build` with buildx's conventions, driven as a CI job would: piped progress, extra tags, labels,
a local cache export, the metadata file, results to a file."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest

from dockyard.builders.registry import RegistryClient

from .conftest import cli_env, dockyard

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]


def test_buildx_flags(tmp_path: Path, base_image: str) -> None:
    name = f"dockyard-test/buildx-{uuid.uuid4().hex[:8]}"
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"name: {name}\ncommands: ['echo {name}']\n")
    cache = tmp_path / "cache"
    args = ["build", str(spec), "--progress", "plain", "-t", "ci-latest", "--label", "team=ml"]
    args += ["--cache-to", f"type=local,dest={cache}", "--metadata-file", str(tmp_path / "meta.json")]
    args += ["--format", "json", "-o", str(tmp_path / "result.json")]
    built = dockyard(*args, cwd=tmp_path, env=cli_env(tmp_path))
    assert built.returncode == 0, built.stderr
    assert built.stdout == ""  # -o is a file: the result went there
    (result,) = json.loads((tmp_path / "result.json").read_text())
    assert result["built"] is True
    lines = built.stderr.splitlines()
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ image ", line) for line in lines), built.stderr
    assert any(f"step: running echo {name}" in line for line in lines)
    assert lines[-1].endswith(f"built: {result['image_ref']}")

    registry = RegistryClient()
    latest = f"localhost:5000/{name}:ci-latest"
    assert registry.digest(latest) == result["digest"]  # the extra tag names the same manifest
    assert registry.image_labels(result["image_ref"])["team"] == "ml"
    assert (cache / "index.json").is_file()  # the local cache export (buildx --cache-to type=local)
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta == {
        str(spec): {"image.name": f"{result['image']},{latest}", "containerimage.digest": result["digest"]}
    }

    again = dockyard("build", str(spec), "--format", "json", cwd=tmp_path, env=cli_env(tmp_path))
    assert json.loads(again.stdout)[0]["built"] is False  # the label is not part of the tag
    forced = dockyard(
        "build", str(spec), "--no-cache", "--pull", "--format", "json", cwd=tmp_path, env=cli_env(tmp_path)
    )
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout)[0]["built"] is True  # --no-cache builds again

    old = dockyard("build", str(spec), "-o", "json", "--dry-run", cwd=tmp_path, env=cli_env(tmp_path))
    assert old.returncode == 0 and json.loads(old.stdout)[0]["state"] == "present"
    assert "-o json is deprecated" in old.stderr and "--format json" in old.stderr
    missing = dockyard(
        "build",
        str(spec),
        "--force",
        "--builder",
        "no-such-buildx-builder",
        cwd=tmp_path,
        env=cli_env(tmp_path),
    )
    assert missing.returncode == 3 and "no-such-buildx-builder" in missing.stderr  # a buildx instance now


def test_build_on_a_terminal_keeps_each_image_line_with_its_duration(tmp_path: Path, base_image: str) -> None:
    import pexpect

    from .conftest import DOCKYARD

    name = f"dockyard-test/tty-{uuid.uuid4().hex[:8]}"
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"name: {name}\ncommands: ['echo {name}']\n")
    child = pexpect.spawn(
        DOCKYARD[0],
        [*DOCKYARD[1:], "build", str(spec)],
        cwd=str(tmp_path),
        env=cli_env(tmp_path, TERM="xterm"),
        encoding="utf-8",
        timeout=600,
        dimensions=(30, 160),
    )
    child.expect(pexpect.EOF)
    child.close()
    raw = child.before or ""
    assert child.exitstatus == 0, raw
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw)
    assert "\x1b[?25l" in raw  # the live view, redrawn in place
    assert re.search(rf"running echo {name}", screen)  # the step, named by its command, while it ran
    short = name.rsplit("/", 1)[-1]
    frames = [line for line in re.split(r"[\r\n]+", screen) if short in line and "@sha256:" not in line]
    assert re.search(r"built in (\d+\.\d|\d+m\d\d)s\s*$", frames[-1]), frames[-1]  # the last frame stays
