"""CUDA/cuDNN: the data tables, the one-line errors, the hash, the labels, golden Dockerfiles per strategy
and Python provider (linted with hadolint), and the driver check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from dockyard.config import BuildSettings
from dockyard.errors import SpecError
from dockyard.imagespec import ImageSpec, resolve
from dockyard.imagespec.cuda import (
    DriverTooOld,
    check_driver,
    cuda_table,
    labels,
    strategy,
    torch_table,
)
from dockyard.imagespec.prepare import labels as image_labels
from dockyard.imagespec.render import RenderOptions, render
from dockyard.imagespec.resolve import TEMPLATE_DIR
from tests.imagespec.conftest import pinned
from tests.ml.conftest import GOLDEN

HADOLINT = Path(sys.executable).parent / "hadolint"
AMD64 = {"platform": "linux/amd64"}


def test_tables_are_consistent() -> None:
    cuda = cuda_table()
    for version, entry in cuda["versions"].items():
        assert entry["image_version"].startswith(f"{version}.")
        assert all(u in cuda["ubuntu"] for u in entry["ubuntu"])
        Version(entry["min_driver"])
    drivers = [Version(cuda["versions"][v]["min_driver"]) for v in cuda["versions"]]
    assert drivers == sorted(drivers)  # a newer CUDA never needs an older driver
    for release in torch_table()["releases"].values():
        assert all(c in cuda["versions"] or c == "11.7" for c in release["cuda"])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cuda": "12.7", "cuda_strategy": "wheels"}, r"cuda: unknown CUDA version '12.7'"),
        ({"cuda": "12", "cuda_strategy": "wheels"}, r"cuda: unknown CUDA version '12'"),
        ({"cudnn": "9"}, r"cudnn: needs cuda"),
        ({"cuda_strategy": "wheels"}, r"cuda_strategy: needs cuda"),
        ({"cuda": "12.1", "cudnn": "9", "cuda_strategy": "wheels"}, r"cudnn: CUDA 12.1 comes with cuDNN 8"),
        (
            {"conda_packages": ["numpy"], "python_provider": "base", "python_version": "3.11"},
            r"python_provider: 'base' cannot install conda_packages",
        ),
        ({"python_provider": "uv"}, r"python_version: required with python_provider 'uv'"),
        (
            {"cuda": "12.4", "cuda_strategy": "base", "platform": "linux/ppc64le"},
            r"platform: linux/ppc64le is not in the CUDA 12.4 images",
        ),
        (
            {"cuda": "12.4", "cuda_strategy": "wheels", "packages": ["torch==2.7.0"]},
            r"packages: torch 2.7 was built for CUDA 11.8, 12.6, 12.8, not 12.4",
        ),
        (
            {"cuda": "12.4", "cuda_strategy": "wheels", "packages": ["torch==2.4.1+cu121"]},
            r"packages: torch==2.4.1\+cu121 is a build for CUDA 12.1",
        ),
        (
            {
                "cuda": "12.4",
                "cuda_strategy": "wheels",
                "packages": ["torch==2.5.1"],
                "python_version": "3.13",
            },
            r"python_version: torch 2.5 supports Python 3.9 to 3.12",
        ),
        (
            {"cuda": "12.4", "cuda_strategy": "base", "python_version": "3.11"},
            r"python_version: the nvidia/cuda 12.4.1 images ship Python 3.10 \(ubuntu22.04\)",
        ),
        (
            {"cuda": "12.4", "cuda_strategy": "base", "base_image": "debian:12"},
            r"base_image: cuda_strategy 'base' picks the nvidia/cuda image",
        ),
        ({"cuda": "12.4", "cuda_strategy": "wheels", "cuda_flavour": "devel"}, r"cuda_flavour: only for"),
    ],
)
def test_bad_combinations_are_one_line_errors(project: Path, fields: dict[str, Any], message: str) -> None:
    with pytest.raises(SpecError, match=message) as caught:
        ImageSpec(**fields)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("fields", "chosen"),
    [
        ({}, "base"),
        ({"python_version": "3.10"}, "base"),  # ubuntu22.04's python3
        ({"python_version": "3.11"}, "wheels"),  # no nvidia/cuda 12.4 image ships it: the default base does
        ({"python_version": "3.11", "cuda_flavour": "devel"}, "base"),  # a flavour is the base's
        ({"base_image": "debian:12"}, "wheels"),
        ({"python_version": "3.10", "cuda_strategy": "wheels"}, "wheels"),
    ],
)
def test_default_strategy_is_chosen_from_the_spec(project: Path, fields: dict[str, Any], chosen: str) -> None:
    """flytekit has no cuda_strategy: `python_version="3.11", cuda="12.4"` must build without one."""
    if "cuda_flavour" in fields:  # 'base' then needs a Python the image ships: the error says so
        with pytest.raises(SpecError, match=r"python_version: the nvidia/cuda 12\.4\.1 images ship"):
            ImageSpec(cuda="12.4", **fields)
        assert strategy(ImageSpec.model_construct(cuda="12.4", **fields)) == chosen
        return
    assert strategy(ImageSpec(cuda="12.4", cudnn="9", **fields)) == chosen


def test_yaml_spec_names_the_file(project: Path) -> None:
    (project / "spec.yaml").write_text("cuda: '99.1'\ncuda_strategy: wheels\n")
    with pytest.raises(SpecError, match=r"spec.yaml: .*cuda: unknown CUDA version '99.1'"):
        ImageSpec.from_yaml(project / "spec.yaml")


def test_base_strategy_picks_an_nvidia_cuda_tag(project: Path, settings: BuildSettings) -> None:
    spec = ImageSpec(cuda="12.6", cudnn="9", cuda_strategy="base", python_version="3.12", **AMD64)
    resolved = resolve(spec, settings)
    assert resolved.base_image.reference == "nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04"
    assert "python3" in resolved.apt_packages  # nvidia/cuda carries no Python
    devel = ImageSpec(cuda="11.8", cudnn="8", cuda_strategy="base", cuda_flavour="devel", **AMD64)
    assert resolve(devel, settings).base_image.reference == "nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04"
    mirrored = settings.model_copy(update={"cuda_base_repository": "mirror.example/nvidia/cuda"})
    assert resolve(spec, mirrored).base_image.reference.startswith("mirror.example/nvidia/cuda:12.6.3-")


def test_torch_pin_selects_the_wheel_index(project: Path, settings: BuildSettings) -> None:
    spec = ImageSpec(cuda="12.1", cuda_strategy="wheels", packages=["torch==2.3.1", "numpy"], **AMD64)
    resolved = resolve(spec, settings)
    assert resolved.cuda is not None
    assert resolved.cuda.torch_index == "https://download.pytorch.org/whl/cu121"
    assert resolved.cuda.wheels == ("nvidia-cuda-runtime-cu12==12.1.*",)
    no_torch = resolve(ImageSpec(cuda="12.1", cuda_strategy="wheels", **AMD64), settings)
    assert no_torch.cuda is not None and no_torch.cuda.torch_index is None


def test_strategy_provider_and_cuda_are_in_the_hash(project: Path, settings: BuildSettings) -> None:
    def spec_hash(**fields: Any) -> str:
        return resolve(ImageSpec(**{**AMD64, **fields}), settings).spec_hash()

    plain = spec_hash(python_version="3.11")
    hashes = {
        plain,
        spec_hash(python_version="3.11", python_provider="uv"),
        spec_hash(python_version="3.11", python_provider="conda"),
        spec_hash(python_version="3.10", cuda="12.4", cuda_strategy="wheels"),
        spec_hash(python_version="3.10", cuda="12.4", cuda_strategy="base"),
        spec_hash(python_version="3.10", cuda="12.4", cudnn="9", cuda_strategy="base"),
        spec_hash(python_version="3.10", cuda="12.1", cuda_strategy="base"),
    }
    assert len(hashes) == 7
    # The default provider is left out of the canonical form: specs without it keep their tags.
    assert spec_hash(python_version="3.11", python_provider="base") == plain
    assert '"python_provider"' not in resolve(ImageSpec(**AMD64), settings).canonical_json()


def test_cuda_labels(project: Path, settings: BuildSettings) -> None:
    spec = ImageSpec(cuda="12.4", cudnn="9", cuda_strategy="wheels", **AMD64)
    resolved = resolve(spec, settings)
    found = image_labels(spec, resolved, resolved.spec_hash(), "t")
    assert found["dockyard.cuda.version"] == "12.4"
    assert found["dockyard.cuda.min-driver"] == "550.54.14"
    assert found["dockyard.cuda.strategy"] == "wheels"
    assert found["dockyard.cuda.cudnn"] == "9"
    assert labels(None, None) == {}
    plain = ImageSpec(**AMD64)
    plain_resolved = resolve(plain, settings)
    assert not any(k.startswith("dockyard.cuda") for k in image_labels(plain, plain_resolved, "h", "t"))


def test_check_driver() -> None:
    check_driver("550.54.14", "550.54.14")
    check_driver("550.54.14", "555.42.02")
    check_driver("550.54.14", "550.100")  # numeric, not string, comparison
    with pytest.raises(DriverTooOld, match=r"NVIDIA driver 535.104.05 is older than 550.54.14"):
        check_driver("550.54.14", "535.104.05")
    with pytest.raises(DriverTooOld, match="older"):
        check_driver("550.54.14", "550.54.9")
    with pytest.raises(DriverTooOld, match="not an NVIDIA driver version"):
        check_driver("550.54.14", "N/A")


GOLDEN_CASES: dict[str, dict[str, Any]] = {
    "cuda-wheels": {
        "cuda": "12.4",
        "cudnn": "9",
        "cuda_strategy": "wheels",
        "packages": ["torch==2.5.1"],
        "python_version": "3.11",
    },
    "cuda-base": {"cuda": "12.4", "cudnn": "9", "cuda_strategy": "base", "python_version": "3.10"},
    "cuda-base-uv": {
        "cuda": "12.6",
        "cuda_strategy": "base",
        "cuda_flavour": "devel",
        "python_provider": "uv",
        "python_version": "3.13",
    },
    "python-base": {"python_version": "3.11", "python_provider": "base"},
    "python-uv": {"python_version": "3.12", "python_provider": "uv"},
    "python-conda": {
        "python_version": "3.11",
        "conda_packages": ["numpy>=1.26", "pandas"],
        "conda_channels": ["conda-forge", "bioconda"],
    },
}
OPTIONS = RenderOptions(
    ca_bundle=True,
    python_mirror="https://mirror.example/python-build-standalone",
    micromamba_image="registry.example:5000/mambaorg/micromamba:2.0.5",
    conda_channel_mirrors={"conda-forge": "https://conda.example/conda-forge"},
)


def _golden_text(project: Path, settings: BuildSettings, case: str) -> str:
    spec = ImageSpec(name=case, **AMD64, **GOLDEN_CASES[case])
    return render(pinned(resolve(spec, settings)), OPTIONS)


@pytest.mark.parametrize("case", list(GOLDEN_CASES))
def test_golden_dockerfiles(project: Path, settings: BuildSettings, case: str) -> None:
    text = _golden_text(project, settings, case)
    golden = GOLDEN / f"{case}.Dockerfile"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()
    lint = project / "lint.Dockerfile"
    lint.write_text(text.replace("FROM nvidia/cuda:", "FROM registry.example:5000/nvidia/cuda:"))
    result = subprocess.run(
        [str(HADOLINT), "--no-color", "--config", str(TEMPLATE_DIR / "hadolint.yaml"), str(lint)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_golden_details(project: Path, settings: BuildSettings) -> None:
    wheels = _golden_text(project, settings, "cuda-wheels")
    layer = wheels.index("'nvidia-cuda-runtime-cu12==12.4.*'")
    assert layer < wheels.index("/tmp/dockyard-gen/packages.txt")  # CUDA layer before user packages
    assert "--extra-index-url https://download.pytorch.org/whl/cu124" in wheels
    uv = _golden_text(project, settings, "python-uv")
    assert "UV_PYTHON_INSTALL_MIRROR=https://mirror.example/python-build-standalone" in uv
    assert "only-managed --python 3.12" in uv
    conda = _golden_text(project, settings, "python-conda")
    assert "--channel https://conda.example/conda-forge --channel bioconda" in conda
    assert "'numpy>=1.26'" in conda and "python=3.11" in conda


def test_cuda_alone_picks_a_strategy_from_the_base_image() -> None:
    """flytekit has no cuda_strategy: cuda (and cudnn) alone build, 'base' without a base image and
    'wheels' with one, and the tag is the one the explicit strategy gives."""
    from dockyard.imagespec.cuda import check

    alone = check(ImageSpec(cuda="12.4", cudnn="9", python_version="3.10"))
    assert alone is not None and alone.strategy == "base"
    assert alone.base_image is not None and alone.base_image.startswith("nvidia/cuda:12.4")
    on_base = check(ImageSpec(cuda="12.4", cudnn="9", base_image="python:3.11-slim"))
    assert on_base is not None and on_base.strategy == "wheels" and on_base.base_image is None
    explicit = check(ImageSpec(cuda="12.4", cudnn="9", python_version="3.10", cuda_strategy="base"))
    assert explicit == alone
