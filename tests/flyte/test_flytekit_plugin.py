"""dockyard as flytekit's image builder, in a venv with flytekit 1.16.31 and this dockyard (editable):
flytekit loads the plugin through its entry point, `pyflyte build` builds through dockyard into the loopback
registry, and `pyflyte package` names the image dockyard pushed."""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
import venv
from pathlib import Path

import pytest

from tests.flyte.compare import KINDS

CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
CHECKOUT = Path(__file__).resolve().parents[2]
QUIET = ("--disable-pip-version-check",)

WORKFLOW = """
from flytekit import ImageSpec, task, workflow

image = ImageSpec(
    name="flyte-plugin-{suffix}", registry="{registry}", builder="dockyard", packages=["six==1.16.0"]
)


@task(container_image=image)
def hello(name: str) -> str:
    return f"hello {{name}}"


@workflow
def wf(name: str = "world") -> str:
    return hello(name=name)
"""


@pytest.fixture(scope="module")
def plugin_venv(tmp_path_factory: pytest.TempPathFactory, flytekit_python: Path) -> Path:
    """flytekit's venv (on the path through a .pth file) plus this dockyard, editable (a dev version builds
    its runtime wheel from the checkout), and what it needs."""
    work = tmp_path_factory.mktemp("plugin-venv")
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    site = subprocess.run(
        [
            str(flytekit_python),
            "-c",
            "import flytekit, os; print(os.path.dirname(os.path.dirname(flytekit.__file__)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = next((env_dir / "lib").glob("python3*/site-packages"))
    (ours / "flytekit-reference.pth").write_text(site + "\n")
    subprocess.run(
        [
            str(env_dir / "bin" / "pip"),
            "install",
            "-q",
            "--disable-pip-version-check",
            "-e",
            f"{CHECKOUT}[build]",
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return env_dir / "bin"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKYARD_")}
    env.update(DOCKYARD_BUILD_WORK_DIR=str(tmp_path / "build"), **extra)
    if CA_BUNDLE.is_file():
        env["DOCKYARD_BUILD_CA_BUNDLE"] = str(CA_BUNDLE)
    return env


def _pyflyte(bin_dir: Path) -> list[str]:
    """pyflyte with this venv's Python (its console script lives in flytekit's venv)."""
    return [str(bin_dir / "python"), "-c", "from flytekit.clis.sdk_in_container.pyflyte import main; main()"]


def _py(bin_dir: Path, code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bin_dir / "python"), "-c", code],
        capture_output=True,
        text=True,
        env=_env(tmp_path, **env),
        timeout=300,
    )


def test_flytekit_loads_the_plugin(plugin_venv: Path, tmp_path: Path) -> None:
    code = (
        "from flytekit.image_spec.image_spec import ImageBuildEngine as E, ImageSpec\n"
        "print(E.get_registry()['dockyard'][1], ImageSpec(name='x').builder)"
    )
    assert _py(plugin_venv, code, tmp_path).stdout.split() == ["0", "default"]
    made_default = _py(plugin_venv, code, tmp_path, DOCKYARD_FLYTEKIT_DEFAULT_BUILDER="1")
    assert made_default.stdout.split() == ["10", "dockyard"]


def test_every_flytekit_field_is_translated_or_refused(plugin_venv: Path, tmp_path: Path) -> None:
    code = (
        "import json, dataclasses\n"
        "from flytekit import ImageSpec\n"
        "from dockyard.flyte import plugin\n"
        "fields = {f.name for f in dataclasses.fields(ImageSpec)}\n"
        "known = set(plugin.SAME) | set(plugin.REFUSED) | plugin.HANDLED\n"
        "spec = plugin.translate(ImageSpec(name='t', registry='localhost:5000', packages=['six'], "
        "apt_packages=['curl'], env={'A': '1'}, python_version='3.11', commands=['echo hi'], pip_index='https://pypi.org/simple'))\n"
        "dumped = spec.model_dump(mode='json', exclude_none=True)\n"
        "print(json.dumps({'missing': sorted(fields - known), 'spec': dumped}))"
    )
    result = _py(plugin_venv, code, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout)
    assert out["missing"] == []
    assert out["spec"]["packages"] == ["six"] and out["spec"]["apt_packages"] == ["curl"]
    assert out["spec"]["env"] == {"A": "1"} and out["spec"]["commands"] == ["echo hi"]
    assert out["spec"]["platform"] == "linux/amd64" and out["spec"]["python_version"] == "3.11"


@pytest.mark.parametrize("field", ["runtime_packages", "python_exec", "registry_config", "builder_config"])
def test_a_field_dockyard_cannot_honour_is_one_line(plugin_venv: Path, tmp_path: Path, field: str) -> None:
    value = {
        "runtime_packages": "['x']",
        "python_exec": "'/usr/bin/python3'",
        "registry_config": "'c.json'",
        "builder_config": "{'uv_image': 'x'}",
    }[field]
    code = (
        "import json\n"
        "from flytekit import ImageSpec\n"
        "from dockyard.flyte import plugin\n"
        "try:\n"
        f"    plugin.translate(ImageSpec(name='t', {field}={value}))\n"
        "except Exception as exc:\n"
        "    print(json.dumps([type(exc).__name__, str(exc)]))\n"
    )
    result = _py(plugin_venv, code, tmp_path)
    kind, message = json.loads(result.stdout)
    assert kind == "SpecError" and "\n" not in message
    assert message.startswith(f"ImageSpec.{field}: dockyard cannot honour it")


@pytest.mark.docker
@pytest.mark.registry
@pytest.mark.slow
def test_pyflyte_build_and_package_use_dockyard(
    plugin_venv: Path, tmp_path: Path, docker_engine: str, registry: str
) -> None:
    suffix = os.urandom(4).hex()
    src = tmp_path / "src"
    src.mkdir()
    (src / "wf.py").write_text(WORKFLOW.format(suffix=suffix, registry=registry))
    env = _env(tmp_path)
    built = subprocess.run(
        [*_pyflyte(plugin_venv), "build", "wf.py", "wf"],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    tags = subprocess.run(
        ["curl", "-sf", f"http://{registry}/v2/flyte-plugin-{suffix}/tags/list"],
        capture_output=True,
        text=True,
    )
    assert tags.returncode == 0 and json.loads(tags.stdout)["tags"], tags.stdout

    packaged = subprocess.run(
        [*_pyflyte(plugin_venv), "--pkgs", "wf", "package", "-f", "-o", "pkg.tgz"],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert packaged.returncode == 0, packaged.stdout[-2000:] + packaged.stderr[-2000:]
    with tarfile.open(src / "pkg.tgz") as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("wf.hello_1.pb"))
        spec = KINDS["1"]()
        spec.ParseFromString(tar.extractfile(member).read())  # type: ignore[union-attr]
    image = spec.template.container.image
    assert image.startswith(f"{registry}/flyte-plugin-{suffix}@sha256:"), image
