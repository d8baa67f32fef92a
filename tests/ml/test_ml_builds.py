"""Real builds on the local Docker engine: a wheels-strategy CUDA image (the CUDA runtime loads and reports
its version, the labels carry CUDA and the minimum driver), the base image's own Python on bookworm (3.11)
and trixie (3.13), and a python_version the base cannot satisfy failing with the version named.

Kept to three small builds (2 shared cores); each is built once per session.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockyard.builders.docker import DockerBuilder
from dockyard.config import Settings, load_settings
from dockyard.errors import BuildError
from dockyard.imagespec import BuildContext, ImageSpec, prepare

pytestmark = [pytest.mark.docker, pytest.mark.slow]

CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
TRIXIE = "localhost:5000/dockyard/debian:trixie"
SESSION = uuid.uuid4().hex[:8]


def _settings(work_dir: Path, base: str) -> Settings:
    values: dict[str, object] = {"work_dir": str(work_dir), "default_base_image": base}
    if CA_BUNDLE.is_file():
        values["ca_bundle"] = str(CA_BUNDLE)
    return load_settings({"build": values}, environ={})


BUILT: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def _remove_images() -> Iterator[None]:
    """The images these tests load are removed afterwards (the disk is shared)."""
    yield
    if BUILT:
        subprocess.run(["docker", "image", "rm", "-f", *BUILT], capture_output=True, timeout=300)


def _build(spec: ImageSpec, settings: Settings) -> BuildContext:
    context = prepare(spec, settings.build, work_dir=settings.build.work_dir)
    BUILT.append(context.image)
    DockerBuilder(settings).build(context, push=False)
    return context


def _run(image: str, *argv: str) -> str:
    result = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", argv[0], image, *argv[1:]],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture(scope="session")
def cuda_image(base_image: str, tmp_path_factory: pytest.TempPathFactory) -> BuildContext:
    work = tmp_path_factory.mktemp("ml-cuda")
    spec = ImageSpec(
        name=f"dockyard-test/ml-cuda-{SESSION}",
        cuda="12.4",
        cuda_strategy="wheels",
        python_version="3.11",
        python_provider="base",
        platform="linux/amd64",
    )
    return _build(spec, _settings(work, base_image))


# cudaRuntimeGetVersion needs no GPU and no driver: it reports the runtime library's own version.
RUNTIME_PROBE = """
import ctypes, pathlib, nvidia.cuda_runtime as rt
lib = next(pathlib.Path(rt.__path__[0], "lib").glob("libcudart.so.*"))
version = ctypes.c_int()
assert ctypes.CDLL(str(lib)).cudaRuntimeGetVersion(ctypes.byref(version)) == 0
print(version.value)
"""


def test_wheels_strategy_image_has_the_cuda_runtime(cuda_image: BuildContext) -> None:
    assert _run(cuda_image.image, "python", "-c", RUNTIME_PROBE).strip() == "12040"
    assert (
        _run(cuda_image.image, "python", "-c", "import sys; print(sys.version_info[:2])").strip() == "(3, 11)"
    )


def test_cuda_image_labels(cuda_image: BuildContext) -> None:
    raw = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{json .Config.Labels}}", cuda_image.image],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    labels = json.loads(raw)
    assert labels["dockyard.cuda.version"] == "12.4"
    assert labels["dockyard.cuda.min-driver"] == "550.54.14"
    assert labels["dockyard.cuda.strategy"] == "wheels"
    inputs = json.loads(labels["dockyard.inputs"])
    assert inputs["cuda"]["wheels"] == ["nvidia-cuda-runtime-cu12==12.4.*"]


@pytest.fixture(scope="session")
def trixie_image(docker_engine: str) -> str:
    present = subprocess.run(["docker", "image", "inspect", TRIXIE], capture_output=True, timeout=30)
    if present.returncode != 0:
        pytest.skip(f"{TRIXIE} missing: run `bash scripts/base-image.sh trixie`")
    return TRIXIE


def test_base_provider_on_trixie_uses_its_python_313(
    trixie_image: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    work = tmp_path_factory.mktemp("ml-trixie")
    spec = ImageSpec(
        name=f"dockyard-test/ml-trixie-{SESSION}",
        python_version="3.13",
        python_provider="base",
        packages=["six"],
        platform="linux/amd64",
    )
    context = _build(spec, _settings(work, trixie_image))
    out = _run(context.image, "python", "-c", "import sys, six; print(sys.version_info[:2], sys.executable)")
    assert out.strip() == "(3, 13) /opt/venv/bin/python"


def test_base_provider_refuses_a_python_the_base_lacks(
    base_image: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """bookworm has 3.11: asking the base for 3.13 fails the build, naming 3.13; no other Python is used."""
    work = tmp_path_factory.mktemp("ml-mismatch")
    spec = ImageSpec(
        name=f"dockyard-test/ml-mismatch-{SESSION}",
        python_version="3.13",
        python_provider="base",
        platform="linux/amd64",
    )
    with pytest.raises(BuildError, match=r"No interpreter found for Python 3\.13"):
        _build(spec, _settings(work, base_image))


def test_build_installs_from_a_pip_lock(base_image: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    from dockyard.imagespec.lock import compile_pip

    work = tmp_path_factory.mktemp("ml-lock")
    (work / "spec.yaml").write_text(
        f"name: dockyard-test/ml-lock-{SESSION}\npython_version: '3.11'\nplatform: linux/amd64\n"
        "packages: ['six==1.17.0']\n"
    )
    settings = _settings(work / "work", base_image)
    compile_pip(ImageSpec.from_yaml(work / "spec.yaml"), settings.build, work / "spec.pip.lock.txt")
    with (work / "spec.yaml").open("a") as handle:
        handle.write("pip_lock: spec.pip.lock.txt\n")
    context = _build(ImageSpec.from_yaml(work / "spec.yaml"), settings)
    assert _run(context.image, "python", "-c", "import six; print(six.__version__)").strip() == "1.17.0"


PYTHON_DOWNLOADS = "https://github.com/astral-sh/python-build-standalone/releases"


def test_uv_provider_installs_the_requested_python(
    base_image: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """bookworm has 3.11; provider "uv" gives 3.12 from python-build-standalone (or the configured mirror)."""
    import urllib.request

    mirror = load_settings().build.uv_python_install_mirror
    try:
        urllib.request.urlopen(mirror or PYTHON_DOWNLOADS, timeout=10).close()
    except OSError:
        pytest.skip(f"python_provider 'uv' downloads from {mirror or PYTHON_DOWNLOADS}, unreachable here")
    work = tmp_path_factory.mktemp("ml-uv")
    spec = ImageSpec(
        name=f"dockyard-test/ml-uv-{SESSION}",
        python_version="3.12",
        python_provider="uv",
        platform="linux/amd64",
    )
    context = _build(spec, _settings(work, base_image))
    out = _run(context.image, "python", "-c", "import sys; print(sys.version_info[:2], sys.base_prefix)")
    assert out.split(")")[0] + ")" == "(3, 12)"
    assert "/opt/dockyard/python/" in out


def test_conda_provider_builds_with_micromamba(
    base_image: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """conda_packages through micromamba; needs its image and a reachable channel (neither is, here)."""
    import urllib.request

    settings = load_settings().build
    channel = settings.conda_channel_mirrors.get("conda-forge", "https://conda.anaconda.org/conda-forge")
    image = subprocess.run(["docker", "image", "inspect", settings.micromamba_image], capture_output=True)
    try:
        urllib.request.urlopen(f"{channel}/noarch/repodata.json", timeout=10).close()
        reachable = image.returncode == 0
    except OSError:
        reachable = False
    if not reachable:
        pytest.skip(
            f"needs the image {settings.micromamba_image} and the channel {channel} (unreachable here)"
        )
    work = tmp_path_factory.mktemp("ml-conda")
    spec = ImageSpec(
        name=f"dockyard-test/ml-conda-{SESSION}",
        python_version="3.12",
        conda_packages=["tzdata"],
        platform="linux/amd64",
    )
    context = _build(spec, _settings(work, base_image))
    out = _run(context.image, "python", "-c", "import sys; print(sys.version_info[:2], sys.prefix)")
    assert out.strip() == "(3, 12) /opt/venv"


def _layers(image: str) -> list[str]:
    out = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{json .RootFS.Layers}}", image],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return list(json.loads(out))


def test_images_with_the_same_heavy_pin_share_its_layer(
    base_image: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Two specs that differ only in a small package share base, venv and the heavy package's layer."""
    work = tmp_path_factory.mktemp("ml-heavy")
    settings = _settings(work, base_image)
    images = []
    for extra in ("six==1.17.0", "attrs==24.2.0"):
        spec = ImageSpec(
            name=f"dockyard-test/ml-heavy-{extra.split('=')[0]}-{SESSION}",
            python_version="3.11",
            packages=["nvidia-cuda-runtime-cu12==12.4.127", extra],
            platform="linux/amd64",
        )
        images.append(_layers(_build(spec, settings).image))
    first, second = images
    shared = [layer for layer, other in zip(first, second, strict=True) if layer == other]
    # base, /root opened to the task's user, venv and the heavy layer shared; the packages layer (and what
    # follows it) differs.
    assert first[:4] == second[:4] and first[4] != second[4]
    assert len(shared) >= 4
