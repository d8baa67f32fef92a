"""CUDA and cuDNN for a spec: which CUDA, from where (an nvidia/cuda base or NVIDIA's PyPI wheels), which
PyTorch wheel index, and which NVIDIA driver the image needs.

Every fact comes from the versioned tables in `data/` (each names its source and date), so an impossible
combination (an unknown CUDA, a torch release never built for that CUDA, a Python the chosen Ubuntu does not
ship) is a one-line error while the spec is constructed, before any build or pull.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:  # packaging is imported by the checks of a spec with cuda, not by every ImageSpec
    from packaging.requirements import Requirement

    from dockyard.imagespec.spec import ImageSpec

DATA_DIR = Path(__file__).resolve().parent / "data"
CUDA_PLATFORMS = ("linux/amd64", "linux/arm64")  # nvidia/cuda images and nvidia-* wheels exist for both
LABEL_VERSION = "dockyard.cuda.version"
LABEL_CUDNN = "dockyard.cuda.cudnn"
LABEL_STRATEGY = "dockyard.cuda.strategy"
LABEL_MIN_DRIVER = "dockyard.cuda.min-driver"

Strategy = Literal["base", "wheels"]
Flavour = Literal["runtime", "devel"]


class CudaInputs(BaseModel):
    """The resolved CUDA part of a spec: hashed (it is in ResolvedSpec) and rendered."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str  # major.minor, a key of data/cuda.toml
    strategy: Strategy
    min_driver: str
    base_image: str | None  # base strategy: the nvidia/cuda image FROM names (before digest pinning)
    wheels: tuple[str, ...]  # wheels strategy: NVIDIA's runtime (and cuDNN) wheels, pinned to the minor
    torch_index: str | None  # the PyTorch wheel index for this CUDA, when torch is among the packages


@cache
def cuda_table() -> dict[str, Any]:
    return _table("cuda.toml")


@cache
def torch_table() -> dict[str, Any]:
    return _table("torch.toml")


def _table(name: str) -> dict[str, Any]:
    """A table of data/ (read when a spec names cuda: a task's start-up parses no TOML)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - images with Python 3.10
        import tomli as tomllib
    with (DATA_DIR / name).open("rb") as handle:
        return tomllib.load(handle)


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _entry(cuda: str) -> dict[str, Any]:
    versions = cuda_table()["versions"]
    entry = versions.get(_minor(cuda))
    if entry is None or cuda.count(".") == 0:
        raise ValueError(f"cuda: unknown CUDA version {cuda!r} (known: {', '.join(versions)})")
    return entry


def _torch_requirement(packages: tuple[str, ...]) -> Requirement | None:
    from packaging.requirements import Requirement

    for package in packages:
        requirement = Requirement(package)
        if requirement.name.lower() == "torch":
            return requirement
    return None


def _torch_pin(requirement: Requirement) -> tuple[str | None, str | None]:
    """(torch major.minor, CUDA of a `+cuXYZ` local version) of an exact `==` pin; (None, None) otherwise."""
    from packaging.version import InvalidVersion, Version

    for spec in requirement.specifier:
        if spec.operator not in ("==", "==="):
            continue
        text = spec.version.removesuffix(".*")
        local = None
        if "+" in text:
            text, local = text.split("+", 1)
        try:
            release = Version(text).release
        except InvalidVersion:
            return None, None
        local_cuda = None
        if local and local.startswith("cu") and local[2:].isdigit() and len(local) >= 5:
            digits = local[2:]
            local_cuda = f"{digits[:-1]}.{digits[-1]}"
        return (f"{release[0]}.{release[1]}" if len(release) >= 2 else None), local_cuda
    return None, None


def _check_torch(spec: ImageSpec, cuda: str) -> str | None:
    """The PyTorch wheel index for this CUDA if torch is wanted; an error for a combination never built."""
    requirement = _torch_requirement(spec.packages or ())
    if requirement is None:
        return None
    table = torch_table()
    minor, local_cuda = _torch_pin(requirement)
    if local_cuda is not None and local_cuda != cuda:
        raise ValueError(f"packages: {requirement} is a build for CUDA {local_cuda}, but cuda is {cuda!r}")
    if minor is not None:
        release = table["releases"].get(minor)
        if release is None:
            raise ValueError(f"packages: torch {minor} is not in dockyard's torch/CUDA table")
        if cuda not in release["cuda"]:
            raise ValueError(
                f"packages: torch {minor} was built for CUDA {', '.join(release['cuda'])}, not {cuda}"
            )
        low, high = release["python"]
        from packaging.version import Version

        if spec.python_version and not (
            Version(low) <= Version(_minor(spec.python_version)) <= Version(high)
        ):
            raise ValueError(
                f"python_version: torch {minor} supports Python {low} to {high}, not {spec.python_version}"
            )
    elif not any(cuda in release["cuda"] for release in table["releases"].values()):
        raise ValueError(f"packages: no torch release in dockyard's table was built for CUDA {cuda}")
    return f"{table['index']}/cu{cuda.replace('.', '')}"


def _base_image(spec: ImageSpec, entry: dict[str, Any], repository: str) -> str:
    """The nvidia/cuda tag: the newest Ubuntu whose python3 is the requested one (provider "base")."""
    ubuntu_python: dict[str, str] = cuda_table()["ubuntu"]
    releases: list[str] = entry["ubuntu"]
    if spec.python_version and (spec.python_provider or "base") == "base":
        wanted = _minor(spec.python_version)
        matching = [u for u in releases if ubuntu_python[u] == wanted]
        if not matching:
            offered = ", ".join(f"{ubuntu_python[u]} (ubuntu{u})" for u in releases)
            raise ValueError(
                f"python_version: the nvidia/cuda {entry['image_version']} images ship Python {offered}; "
                f"use python_provider 'uv' for {spec.python_version}"
            )
        releases = matching
    cudnn = ""
    if spec.cudnn:
        cudnn = "cudnn-" if entry["cudnn"] == ["9"] else f"cudnn{spec.cudnn}-"
    flavour = spec.cuda_flavour or "runtime"
    return f"{repository}:{entry['image_version']}-{cudnn}{flavour}-ubuntu{releases[0]}"


def strategy(spec: ImageSpec) -> Literal["base", "wheels"] | None:
    """Where CUDA comes from: the spec's cuda_strategy, else (flytekit has no such field) 'base', an
    nvidia/cuda image, when the spec names no base image and that image can give it its Python (or it
    asks for a flavour); otherwise 'wheels', NVIDIA's PyPI wheels on the spec's base or the default base.
    So flytekit's common `python_version="3.11", cuda="12.4"` builds with no dockyard-only field."""
    if spec.cuda is None:
        return None
    if spec.cuda_strategy is not None:
        return spec.cuda_strategy
    if spec.base_image is not None:
        return "wheels"
    if spec.cuda_flavour is not None or not spec.python_version or (spec.python_provider or "base") != "base":
        return "base"
    shipped = cuda_table()["ubuntu"]
    wanted = _minor(spec.python_version)
    return "base" if any(shipped[u] == wanted for u in _entry(spec.cuda)["ubuntu"]) else "wheels"


def check(spec: ImageSpec, repository: str = "nvidia/cuda") -> CudaInputs | None:
    """Validate the CUDA fields of a spec and resolve them (raises ValueError naming the field)."""
    if spec.cuda is None:
        if spec.cudnn:
            raise ValueError("cudnn: needs cuda to be set")
        for name in ("cuda_strategy", "cuda_flavour"):
            if getattr(spec, name) is not None:
                raise ValueError(f"{name}: needs cuda to be set")
        return None
    entry = _entry(spec.cuda)
    cuda = _minor(spec.cuda)
    if spec.cudnn and spec.cudnn.split(".")[0] not in entry["cudnn"]:
        raise ValueError(f"cudnn: CUDA {cuda} comes with cuDNN {', '.join(entry['cudnn'])}, not {spec.cudnn}")
    for platform in spec.platforms:
        if not platform.startswith(CUDA_PLATFORMS):
            raise ValueError(
                f"platform: {platform} is not in the CUDA {cuda} images (only {', '.join(CUDA_PLATFORMS)})"
            )
    torch_index = _check_torch(spec, cuda)
    base_image: str | None = None
    wheels: tuple[str, ...] = ()
    chosen = strategy(spec)
    assert chosen is not None  # cuda is set
    if chosen == "base":
        if spec.base_image is not None:
            raise ValueError("base_image: cuda_strategy 'base' picks the nvidia/cuda image; leave it unset")
        base_image = _base_image(spec, entry, repository)
    else:
        if spec.cuda_flavour is not None:
            raise ValueError("cuda_flavour: only for cuda_strategy 'base' (wheels carry the runtime only)")
        wheels = (f"{entry['runtime_wheel']}=={cuda}.*",)
        if spec.cudnn:
            wheels += (f"{entry['cudnn_wheel']}=={spec.cudnn.split('.')[0]}.*",)
    return CudaInputs(
        version=cuda,
        strategy=chosen,
        min_driver=entry["min_driver"],
        base_image=base_image,
        wheels=wheels,
        torch_index=torch_index,
    )


def labels(inputs: CudaInputs | None, cudnn: str | None) -> dict[str, str]:
    """Image labels a scheduler reads before pulling: the CUDA version and the minimum NVIDIA driver."""
    if inputs is None:
        return {}
    found = {
        LABEL_VERSION: inputs.version,
        LABEL_STRATEGY: inputs.strategy,
        LABEL_MIN_DRIVER: inputs.min_driver,
    }
    if cudnn:
        found[LABEL_CUDNN] = cudnn
    return found


class DriverTooOld(ValueError):
    """The node's NVIDIA driver is older than the image's CUDA needs."""


def _driver_version(value: str, what: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in value.strip().split("."))
    except ValueError:
        raise DriverTooOld(f"{what}: {value!r} is not an NVIDIA driver version") from None


def check_driver(min_driver: str, node_driver: str) -> None:
    """Raise DriverTooOld (one line) when `node_driver` < `min_driver`; numeric per dot-separated part."""
    if _driver_version(node_driver, "node driver") < _driver_version(min_driver, "min driver"):
        raise DriverTooOld(
            f"NVIDIA driver {node_driver.strip()} is older than {min_driver}, "
            "the minimum for this image's CUDA (label dockyard.cuda.min-driver)"
        )


def min_driver(spec: ImageSpec) -> str | None:
    """The minimum NVIDIA driver a spec's image needs (its own CUDA, else its base spec's); None without."""
    from dockyard.imagespec.spec import ImageSpec

    inputs = check(spec)
    if inputs is not None:
        return inputs.min_driver
    return min_driver(spec.base_image) if isinstance(spec.base_image, ImageSpec) else None
