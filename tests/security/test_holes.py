"""The five holes of issue 11, each reproduced against a real build pushed to the loopback registry.

One hostile-but-fair project is built once (2 shared cores): links inside and outside it, a `~/.ssh` with a
key, an index and a direct URL that need a password. Each hostile variant must fail before anything is
built or pushed, with one line naming the field; the clean build is then scanned: every layer, the config
(labels, history) and manifests of the pushed image (`docker save`), every process's argv during the build
(/proc/*/cmdline), and every file dockyard wrote.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dockyard.builders.engine import BuildEngine, BuildOutcome
from dockyard.config import Settings, load_settings
from dockyard.errors import SpecError
from dockyard.imagespec import ImageSpec
from dockyard.imagespec.prepare import render_dockerfile

from .conftest import ProcWatch, files_under, image_blobs, layer_paths
from .probe_index import BRIDGE, ProbeIndex, serve, wheel

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]

SESSION = uuid.uuid4().hex[:10]
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
REGISTRY = "localhost:5000"


def settings_for(work_dir: Path) -> Settings:
    values: dict[str, object] = {"work_dir": str(work_dir)}
    if CA_BUNDLE.is_file():
        values["ca_bundle"] = str(CA_BUNDLE)
    return load_settings({"build": values}, environ={})


@dataclass
class Hostile:
    root: Path  # holds project/, outside/, home/
    project: Path
    markers: dict[str, str]  # name → text planted in a file
    probe: ProbeIndex
    settings: Settings
    spec: ImageSpec
    outcome: BuildOutcome
    watch: ProcWatch
    blobs: list[tuple[str, bytes]]
    paths: set[str]

    def refused(self, yaml_text: str) -> str:
        """The one-line error a variant (declared in the project folder) gets through the real engine;
        nothing of it is pushed."""
        name = f"dockyard-test/sec-variant-{uuid.uuid4().hex[:12]}"
        file = self.project / f"{name.rsplit('-', 1)[1]}.yaml"
        file.write_text(f"name: {name}\n{yaml_text}")
        with pytest.raises(SpecError) as caught:
            BuildEngine(self.settings).ensure([ImageSpec.from_yaml(file)])
        message = str(caught.value)
        assert "\n" not in message
        tags = urllib.request.Request(f"http://{REGISTRY}/v2/{name}/tags/list")
        try:
            with urllib.request.urlopen(tags, timeout=10) as response:
                assert json.load(response).get("tags") in (None, [])
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
        return message


@pytest.fixture(scope="module")
def hostile(base_image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    root = tmp_path_factory.mktemp("hostile")
    markers = {name: f"{name}-marker-{uuid.uuid4().hex}" for name in ("visible", "outside", "loot", "ssh")}
    project, outside, home = root / "project", root / "outside", root / "home"
    (project / "app").mkdir(parents=True)
    (project / "data").mkdir()
    (outside / "dir").mkdir(parents=True)
    (home / ".ssh").mkdir(parents=True)
    (project / "app" / "main.py").write_text(f"VISIBLE = {markers['visible']!r}\n")
    (project / "app" / "alias.py").symlink_to("main.py")  # inside: copied as its content
    (project / "data" / "d.txt").write_text("data\n")
    (outside / "secret.txt").write_text(markers["outside"])
    (outside / "dir" / "loot.txt").write_text(markers["loot"])
    (home / ".ssh" / "id_rsa").write_text(markers["ssh"])
    probe = ProbeIndex(user=f"user-{uuid.uuid4().hex[:8]}", password=f"pw-{uuid.uuid4().hex}")
    index_pkg, direct_pkg = f"dockyard-sec-probe-{SESSION}", f"dockyard-sec-direct-{SESSION}"
    probe.wheels[index_pkg] = wheel(index_pkg, "1.0", "FROM = 'index'\n")
    probe.wheels[direct_pkg] = wheel(direct_pkg, "1.0", "FROM = 'direct'\n")
    patch = pytest.MonkeyPatch()
    patch.setenv("HOME", str(home))
    with serve(probe):
        netrc = root / "netrc"  # the documented place for a direct URL's credentials
        netrc.write_text(f"machine {BRIDGE} login {probe.user} password {probe.password}\n")
        direct = probe.url(f"files/{probe.wheels[direct_pkg][0]}", credentials=False)
        (project / "spec.yaml").write_text(
            f"name: dockyard-test/sec-{SESSION}\n"
            "source_root: app\n"
            "copy: [data]\n"
            f"packages: ['{index_pkg}==1.0', '{direct_pkg} @ {direct}']\n"
            f"pip_extra_index_url: ['{probe.url('simple')}']\n"
            f"pip_secret_mounts: [['{netrc}', /root/.netrc]]\n"
            "commands: ['echo built > /root/built.txt']\n"
        )
        spec = ImageSpec.from_yaml(project / "spec.yaml")
        settings = settings_for(root / "work")
        watch = ProcWatch(needles=(probe.password.encode(), probe.user.encode()))
        with watch:
            outcome = BuildEngine(settings).ensure([spec], push=True)[spec]
        blobs = image_blobs(outcome.image_ref, root)
        yield Hostile(
            root, project, markers, probe, settings, spec, outcome, watch, blobs, layer_paths(blobs)
        )
    patch.undo()
    subprocess.run(["docker", "image", "rm", "--force", outcome.image_ref], capture_output=True)


def _leaks(hostile: Hostile, text: str) -> list[str]:
    return [name for name, data in hostile.blobs if text.encode() in data]


def test_the_scans_see_what_they_must(hostile: Hostile) -> None:
    """Positive controls: without them a scan that reads nothing would pass every test below."""
    assert _leaks(hostile, hostile.markers["visible"])  # a project file is in a layer
    assert "root/alias.py" in hostile.paths and "root/data/d.txt" in hostile.paths
    assert hostile.watch.saw(b"uv pip install")  # uv's own argv was read while it ran
    assert hostile.probe.authorized  # the build reached the index with its password


# --- 1. symlinks out of the project ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("link", "target", "field"),
    [
        ("app/shadow", "/etc/shadow", "source_root"),
        ("app/secret.txt", "outside/secret.txt", "source_root"),
        ("app/loot", "outside/dir", "source_root"),
        ("linked-data", "outside/dir", "copy"),
    ],
)
def test_symlinks_that_leave_the_project_are_refused(
    hostile: Hostile, link: str, target: str, field: str
) -> None:
    path = hostile.project / link
    path.symlink_to(target if target.startswith("/") else hostile.root / target)
    try:
        extra = "copy: [linked-data]\n" if field == "copy" else "source_root: app\n"
        message = hostile.refused(extra)
    finally:
        path.unlink()
    assert f"{field}: " in message
    assert str(path) in message and "outside the project" in message
    assert os.path.realpath(target if target.startswith("/") else hostile.root / target) in message


def test_a_link_inside_is_copied_as_content_and_nothing_outside_is_in_the_image(hostile: Hostile) -> None:
    for name in ("outside", "loot", "ssh"):
        assert _leaks(hostile, hostile.markers[name]) == [], name
    assert not [p for p in hostile.paths if "shadow" in p.split("/")[-1] and p.startswith("root/")]
    alias = [data for name, data in hostile.blobs if hostile.markers["visible"].encode() in data]
    assert alias  # main.py's text, through alias.py as well (same layer)


# --- 2. `~` and friends in paths ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "field", "why"),
    [
        ("copy: ['~/.ssh']", "copy", "'~'"),
        ("copy: ['$HOME/.ssh']", "copy", "'$'"),
        ("copy: ['${HOME}/.ssh/id_rsa']", "copy", "'$'"),
        ("copy: [/etc/passwd]", "copy", "absolute"),
        ("copy: ['app/../../outside']", "copy", "'..'"),
        ("copy: ['C:\\\\Users\\\\me']", "copy", "offending character"),
        ("source_root: '~'", "source_root", "'~'"),
        ("source_root: /", "source_root", "outside the project folder"),
        ("requirements: '~/requirements.txt'", "requirements", "'~'"),
        ("requirements: ../requirements.txt", "requirements", "'..'"),
        ("pip_lock: '$HOME/x.pip.lock.txt'", "pip_lock", "'$'"),
    ],
)
def test_paths_are_checked_before_any_expansion(hostile: Hostile, line: str, field: str, why: str) -> None:
    message = hostile.refused(line + "\n")
    assert f"ImageSpec.{field}" in message and why in message


def test_home_never_reaches_the_image(hostile: Hostile) -> None:
    assert _leaks(hostile, hostile.markers["ssh"]) == []
    assert not [p for p in hostile.paths if "~" in p or ".ssh" in p]


# --- 3. index credentials on a command line -----------------------------------------------------------------
def test_index_credentials_never_reach_argv_a_layer_or_a_file(hostile: Hostile) -> None:
    assert hostile.watch.hits == []
    assert any(p.endswith(f"dockyard_sec_probe_{SESSION}/__init__.py") for p in hostile.paths)
    assert _leaks(hostile, hostile.probe.password) == []
    assert _leaks(hostile, hostile.probe.user) == []
    written = [
        p
        for p, data in files_under(hostile.settings.build.work_dir)
        if hostile.probe.password.encode() in data
    ]
    assert written == []


# --- 4. credentials in labels, history and logs -------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "field", "hint"),
    [
        ("packages: ['probe @ http://u:{pw}@172.17.0.1/p.whl']", "packages", "netrc"),
        ("pip_extra_args: '--index-url http://u:{pw}@172.17.0.1/simple'", "pip_extra_args", "pip_index"),
        ("env: {{HF_TOKEN: hf_{pw}}}", "env", "pip_secret_mounts"),
        ("env: {{DB_URL: 'postgres://u:{pw}@db/x'}}", "env", "secret"),
    ],
)
def test_credentials_outside_index_urls_are_refused_saying_where_to_put_them(
    hostile: Hostile, line: str, field: str, hint: str
) -> None:
    password = hostile.probe.password
    message = hostile.refused(line.format(pw=password) + "\n")
    assert f"ImageSpec.{field}" in message and hint in message
    assert password not in message


def test_labels_history_and_logs_hold_no_credential(hostile: Hostile) -> None:
    inspect = subprocess.run(
        ["docker", "image", "inspect", hostile.outcome.image_ref], capture_output=True, text=True, check=True
    ).stdout
    history = subprocess.run(
        ["docker", "history", "--no-trunc", hostile.outcome.image_ref],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    labels = json.loads(inspect)[0]["Config"]["Labels"]
    inputs = json.loads(labels["dockyard.inputs"])
    assert inputs["pip_extra_index_url"][0].startswith("http://redacted-")
    for text in (inspect, history):
        assert hostile.probe.password not in text and hostile.probe.user not in text
    logs = list((hostile.settings.build.work_dir / "logs").iterdir())
    assert logs
    for log in logs:
        assert hostile.probe.password not in log.read_text()
        assert stat.S_IMODE(log.stat().st_mode) == 0o600
    rendered = render_dockerfile(hostile.spec, hostile.settings.build)
    assert hostile.probe.password not in rendered and hostile.probe.user not in rendered


# --- 5. newlines injecting steps ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "field"),
    [
        ('apt_packages: ["curl\\n", jq]', "apt_packages"),
        ('apt_packages: ["curl\\nRUN touch /pwned"]', "apt_packages"),
        ('packages: ["six\\n"]', "packages"),
        ('packages: ["six\\n--index-url http://evil"]', "packages"),
        ('python_version: "3.11"\nconda_packages: ["numpy\\n"]', "conda_packages"),
        ('env: {"A\\n": "x"}', "env"),
        ('env: {A: "x\\nRUN touch /pwned"}', "env"),
        ('commands: ["echo hi\\nRUN touch /pwned"]', "commands"),
        ('entrypoint: ["python\\n"]', "entrypoint"),
        ('base_image: "localhost:5000/dockyard/debian:bookworm\\n"', "base_image"),
        ('registry: "localhost:5000\\n"', "registry"),
        ('tag_format: "{spec_hash}\\n"', "tag_format"),
        ('platform: "linux/amd64\\n"', "platform"),
        ('copy: ["data\\n"]', "copy"),
        ('source_root: "app\\n"', "source_root"),
        ('pip_extra_args: "--pre\\n"', "pip_extra_args"),
    ],
)
def test_a_newline_is_refused_in_every_field_naming_it(hostile: Hostile, line: str, field: str) -> None:
    message = hostile.refused(line + "\n")
    assert f"ImageSpec.{field}" in message and "'\\n'" in message


def test_the_image_has_exactly_the_rendered_steps(hostile: Hostile) -> None:
    history = subprocess.run(
        ["docker", "history", "--no-trunc", "--format", "{{.CreatedBy}}", hostile.outcome.image_ref],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    rendered = render_dockerfile(hostile.spec, hostile.settings.build).splitlines()
    runs = [line for line in rendered if line.startswith("RUN ")]
    assert len([h for h in history if h.startswith("RUN ")]) == len(runs)
