"""One real build of a rendered context with `docker buildx build`, then the image is run and inspected.

Building images is the builders' job; this only proves the Dockerfile the templates make is right: apt and
PyPI installs work through the CA-bundle secret, ENV arrives verbatim, and nothing of the build (uv, apt
lists, secrets, mount points) is left in the image. Also `dockyard render` and `dockyard explain`.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dockyard.builders.registry import RegistryClient
from dockyard.config import BuildSettings
from dockyard.imagespec import BuildContext, ImageSpec, prepare

pytestmark = [pytest.mark.docker, pytest.mark.slow]

CA = Path("/etc/ssl/certs/ca-certificates.crt")
WEIRD = 'two words "quoted" \\ end'
SPEC_YAML = f"""
name: imagespec-test
apt_packages: [curl]
packages: [six]
env:
  WEIRD: '{WEIRD.replace("'", "''")}'
  TOOLS_PATH: '/opt/tools/bin:$PATH'
commands:
  - echo built > /root/from-command.txt
source_root: app
pip_secret_mounts: [[token.txt, /root/.config/pip-token]]
"""
TOKEN = f"dockyard-token-{uuid.uuid4().hex}"  # a secret value that must appear in no layer


@dataclass(frozen=True)
class Built:
    project: Path
    context: BuildContext


def _docker(*args: str) -> str:
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="session")
def built(base_image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    root = tmp_path_factory.mktemp("imagespec-build")
    project = root / "project"
    (project / "app").mkdir(parents=True)
    (project / "app" / "main.py").write_text("print('hello from the image')\n")
    (project / "spec.yaml").write_text(SPEC_YAML)
    (project / "token.txt").write_text(TOKEN)
    settings = BuildSettings(default_base_image=base_image, ca_bundle=CA, work_dir=root / "work")
    spec = ImageSpec.from_yaml(project / "spec.yaml")
    with RegistryClient() as client:
        context = prepare(spec, settings, work_dir=root / "work", lookup_digest=client.digest)
    command = ["buildx", "build", "--load", "--tag", context.image]
    for secret_id, path in context.secrets.items():
        command += ["--secret", f"id={secret_id},src={path}"]
    for key, value in context.labels.items():
        command += ["--label", f"{key}={value}"]
    _docker(*command, str(context.directory))
    yield Built(project, context)
    subprocess.run(["docker", "image", "rm", "-f", context.image], capture_output=True)


def _run(image: str, script: str) -> str:
    return _docker("run", "--rm", "--entrypoint", "/bin/sh", image, "-c", script)


def test_image_has_what_the_spec_asked_for(built: Built) -> None:
    image = built.context.image
    assert _run(image, "python -c 'import six; print(six.__name__)'").strip() == "six"
    assert _run(image, "command -v curl").strip() == "/usr/bin/curl"
    assert _run(image, 'printf %s "$WEIRD"') == WEIRD
    assert _run(image, 'printf %s "$TOOLS_PATH"').startswith("/opt/tools/bin:/opt/venv/bin:")
    assert _run(image, "cat /root/from-command.txt").strip() == "built"
    assert _run(image, "cd /tmp && python /root/main.py").strip() == "hello from the image"
    version = _run(image, "python -c 'import dockyard.version as v; print(v.__version__)'").strip()
    assert version == json.loads(built.context.labels["dockyard.inputs"])["tools"]["dockyard"]["version"]


def test_build_leaves_no_tools_lists_or_secrets_behind(built: Built) -> None:
    leftovers = _run(
        built.context.image,
        "ls -A /var/lib/apt/lists; ls -A /run/secrets 2>/dev/null; ls -d /tmp/dockyard-* 2>/dev/null; "
        "command -v uv; ls /etc/apt/apt.conf.d/docker-clean /root/.config/pip-token 2>/dev/null; true",
    )
    assert leftovers.strip() == ""


def test_labels_carry_the_hash_inputs(built: Built) -> None:
    raw = _docker("image", "inspect", "--format", "{{json .Config.Labels}}", built.context.image)
    labels = json.loads(raw)
    assert labels["dockyard.inputs"] == built.context.labels["dockyard.inputs"]
    assert labels["dockyard.spec-hash"].startswith(built.context.tag)


def _cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    dockyard = Path(sys.executable).parent / "dockyard"
    return subprocess.run(
        [str(dockyard), *args], cwd=project, capture_output=True, text=True, timeout=300, env=dict(os.environ)
    )


def test_render_cli_prints_the_pinned_dockerfile(built: Built) -> None:
    result = _cli(built.project, "render", "spec.yaml")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"FROM {BuildSettings().default_base_image}@sha256:")
    assert "COPY root/ /root/" in result.stdout


def test_explain_cli_names_the_inputs_that_differ(built: Built) -> None:
    (built.project / "app" / "main.py").write_text("print('changed')\n")
    (built.project / "spec.yaml").write_text(SPEC_YAML.replace("packages: [six]", "packages: [six, attrs]"))
    try:
        result = _cli(built.project, "explain", "spec.yaml", "--image", built.context.image)
    finally:
        (built.project / "app" / "main.py").write_text("print('hello from the image')\n")
        (built.project / "spec.yaml").write_text(SPEC_YAML)
    assert result.returncode == 0, result.stderr
    assert "file /root/main.py: changed" in result.stdout
    assert 'packages: ["six"] → ["attrs", "six"]' in result.stdout
    assert "apt_packages" not in result.stdout and "env" not in result.stdout


def test_explain_cli_prints_json_with_format_json(built: Built) -> None:
    """Every command that prints data takes `--format text|json` (docker's convention)."""
    (built.project / "app" / "main.py").write_text("print('changed')\n")
    try:
        result = _cli(
            built.project, "explain", "spec.yaml", "--image", built.context.image, "--format", "json"
        )
    finally:
        (built.project / "app" / "main.py").write_text("print('hello from the image')\n")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["compared_with"] == built.context.image and doc["exists"] is False
    (line,) = doc["differences"]
    assert line.startswith("file /root/main.py: changed")


def test_explain_cli_fails_clearly_for_an_image_without_inputs(built: Built, base_image: str) -> None:
    result = _cli(built.project, "explain", "spec.yaml", "--image", base_image)
    assert result.returncode == 2
    assert "has no dockyard.inputs label" in result.stderr


def test_image_name_and_exist_agree_with_the_registry(
    built: Built, registry: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _docker("push", "--quiet", built.context.image)
    # The dockyard sources may have been edited since the build (a shared checkout): pin the runtime
    # recorded on the image, so only the spec decides the name.
    from dockyard.imagespec.runtime_install import RuntimeInstall

    recorded = RuntimeInstall(**json.loads(built.context.labels["dockyard.inputs"])["tools"]["dockyard"])
    resolve_module = importlib.import_module("dockyard.imagespec.resolve")
    monkeypatch.setattr(resolve_module, "runtime_install", lambda *_: recorded)
    spec = ImageSpec.from_yaml(built.project / "spec.yaml")
    assert spec.image_name() == built.context.image
    assert spec.exist() is True
    assert spec.with_packages("attrs").exist() is False


def test_exist_fails_closed_when_the_registry_cannot_answer(built: Built) -> None:
    from dockyard.errors import RegistryError

    spec = ImageSpec(name="anything", registry="localhost:5999")
    with pytest.raises(RegistryError):
        spec.exist()


def test_a_python_version_the_base_lacks_fails_the_build_naming_it(base_image: str, tmp_path: Path) -> None:
    settings = BuildSettings(default_base_image=base_image, work_dir=tmp_path / "work")
    spec = ImageSpec(name="imagespec-wrong-python", python_version="3.9")
    with RegistryClient() as client:
        context = prepare(spec, settings, work_dir=tmp_path / "work", lookup_digest=client.digest)
    result = subprocess.run(
        ["docker", "buildx", "build", "--progress=plain", "--tag", context.image, str(context.directory)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode != 0
    assert "No interpreter found for Python 3.9" in result.stderr


def test_no_layer_holds_a_secret(built: Built, tmp_path: Path) -> None:
    """`docker save` the image and scan every file of every layer for the secret mount's value."""
    import gzip
    import tarfile

    archive = tmp_path / "image.tar"
    _docker("save", "--output", str(archive), built.context.image)
    needle = TOKEN.encode()
    scanned = 0
    with tarfile.open(archive) as outer:
        for member in outer:
            blob = outer.extractfile(member) if member.isfile() else None
            if blob is None:
                continue
            head = blob.read(2)
            blob.seek(0)
            stream = gzip.GzipFile(fileobj=blob) if head == b"\x1f\x8b" else blob
            try:
                with tarfile.open(fileobj=stream, mode="r|") as layer:
                    for entry in layer:
                        data = layer.extractfile(entry) if entry.isfile() else None
                        if data is not None:
                            assert needle not in data.read(), f"{entry.name} in {member.name}"
                            scanned += 1
            except tarfile.ReadError:  # a manifest or config blob, not a layer
                blob.seek(0)
                assert needle not in blob.read(), member.name
    assert scanned > 1000  # the scan really read the image's files
    assert TOKEN.encode() in (built.project / "token.txt").read_bytes()
