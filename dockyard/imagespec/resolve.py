"""Resolve a spec into its canonical build inputs, and hash them into the image tag.

The ResolvedSpec holds everything that shapes the image and nothing that does not: sorted package lists,
sorted env, file records keyed by destination, the base image (by digest when the registry can tell), the
platforms, and the versions of uv, of the templates and of the dockyard runtime. Not in it: the builder and
its options, secret mounts, registry credentials, the CA bundle, the image name and registry (they say where
the image goes, not what it is). The tag is a prefix of sha256 over its canonical JSON.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from dockyard.config import BuildSettings
from dockyard.errors import SpecError
from dockyard.imagespec import cuda, files, grammar, heavy_layers, lock
from dockyard.imagespec.cuda import CudaInputs
from dockyard.imagespec.files import FileRecord
from dockyard.imagespec.runtime_install import ADDED_DEFAULTS as RUNTIME_DEFAULTS
from dockyard.imagespec.runtime_install import RuntimeInstall, runtime_install
from dockyard.imagespec.spec import ImageSpec
from dockyard.imagespec.stat_cache import StatCache
from dockyard.imagespec.targets import package_indexes, target_platforms
from dockyard.imagespec.uv_binary import uv_version

SCHEMA_VERSION = 1
TAG_LENGTH = 32  # hex characters of the sha256 used as the tag: [0-9a-f]{32}, 128 bits
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "dockerfile"

LookupDigest = Callable[[str], "str | None"]


class BaseImage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    reference: str
    digest: str | None  # "sha256:…" when the registry told us; None means "as written"

    @property
    def pinned(self) -> str:
        """What FROM names: the reference pinned to its digest when known."""
        if self.digest is None or "@" in self.reference:
            return self.reference
        return f"{self.reference}@{self.digest}"


class Requirements(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["requirements", "uv", "poetry"]
    entry: str  # key of the entry file in `files`, e.g. "deps/requirements.txt"


class Tools(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    uv: str
    template: str
    dockyard: RuntimeInstall


class ResolvedSpec(BaseModel):
    """The canonical, hashed description of an image. Its JSON is the `dockyard.inputs` label."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: int
    base_image: BaseImage
    platforms: tuple[str, ...]
    python_version: str | None
    apt_packages: tuple[str, ...]
    conda_packages: tuple[str, ...]
    conda_channels: tuple[str, ...]  # order kept: channel priority
    cuda: CudaInputs | None
    cudnn: str | None
    requirements: Requirements | None
    packages: tuple[str, ...]
    pip_index: str | None  # credentials removed
    pip_extra_index_url: tuple[str, ...]  # order kept: index priority; credentials removed
    pip_extra_args: tuple[str, ...]
    env: dict[str, str]
    commands: tuple[str, ...]  # order kept
    entrypoint: tuple[str, ...] | None
    files: dict[str, FileRecord]
    tools: Tools
    python_provider: Literal["base", "uv", "conda"] = "base"
    pip_lock: str | None = None  # key of the pip lock in `files` (it replaces packages and requirements)
    conda_lock: str | None = None  # key of the conda-lock file in `files`
    heavy_layers: tuple[str, ...] = ()  # names of heavy packages, each installed in a layer of its own

    def canonical_data(self) -> dict[str, Any]:
        """The hashed data. Fields added after schema 1 are left out at their default, so specs that do
        not use them keep their tags."""
        data = self.model_dump(mode="json")
        for fields, defaults in ((data, ADDED_DEFAULTS), (data["tools"]["dockyard"], RUNTIME_DEFAULTS)):
            for name, default in defaults.items():
                if fields.get(name) == default:
                    del fields[name]
        return data

    def canonical_json(self) -> str:
        """Sorted keys, no whitespace, ASCII only: the same bytes on every machine and Python version."""
        return canonical(self.canonical_data())

    def spec_hash(self) -> str:
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()


ADDED_DEFAULTS: dict[str, Any] = {
    "python_provider": "base",
    "pip_lock": None,
    "conda_lock": None,
    "heavy_layers": [],
}


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def template_version() -> str:
    return (TEMPLATE_DIR / "VERSION").read_text().strip()


def _base_image(
    spec: ImageSpec,
    settings: BuildSettings,
    lookup_digest: LookupDigest | None,
    cuda_inputs: cuda.CudaInputs | None,
    runtime: RuntimeInstall | None,
) -> BaseImage:
    base = spec.base_image
    if isinstance(base, ImageSpec):
        # The base's tag is content-addressed already; asking the registry would make the child's tag depend
        # on whether the base has been pushed yet. It is the tag the base's own build gets: same runtime.
        resolved = resolve(base, settings, lookup_digest=lookup_digest, runtime=runtime)
        reference = f"{repository(base, settings)}:{tag_for(resolved.spec_hash(), base.tag_format)}"
        return BaseImage(reference=_checked_reference(reference), digest=None)
    reference = base or (cuda_inputs and cuda_inputs.base_image) or settings.default_base_image
    if "@" in reference:
        return BaseImage(reference=reference, digest=reference.rsplit("@", 1)[1])
    return BaseImage(reference=reference, digest=lookup_digest(reference) if lookup_digest else None)


def _requirements(spec: ImageSpec) -> tuple[Requirements | None, list[files.Source]]:
    if spec.requirements is None:
        return None, []
    entry, sources = files.requirement_files(spec)
    name = Path(spec.requirements).name
    kind: Literal["requirements", "uv", "poetry"] = (
        "uv" if name == "uv.lock" else "poetry" if name == "poetry.lock" else "requirements"
    )
    return Requirements(kind=kind, entry=entry), sources


def _installed(spec: ImageSpec) -> list[str]:
    """What the pip steps install by name: every pin of the pip lock, else the spec's packages."""
    if spec.pip_lock is not None:
        return list(heavy_layers.lock_entries(spec.path(spec.pip_lock).read_text()))
    return list(spec.packages or ())


def _python_apt(spec: ImageSpec) -> set[str]:
    """The nvidia/cuda images carry no Python: provider "base" installs Ubuntu's python3 with apt."""
    if cuda.strategy(spec) == "base" and (spec.python_provider or "base") == "base":
        return {"python3"}
    return set()


def resolve(
    spec: ImageSpec,
    settings: BuildSettings,
    *,
    lookup_digest: LookupDigest | None = None,
    snapshot_dir: Path | None = None,
    runtime: RuntimeInstall | None = None,
) -> ResolvedSpec:
    """Canonical inputs of a spec. With `snapshot_dir`, every file is copied there as it is hashed.

    `runtime` is the dockyard runtime going into the image (prepare passes the one its wheel was built
    from); by default the installed client's.
    """
    spec.check_files()
    requirements, sources = _requirements(spec)
    sources += files.image_files(spec)
    locks = lock.lock_sources(spec)
    lock.check_pip_lock(spec, settings)
    sources += locks
    stat_cache = StatCache.for_spec(settings.work_dir, spec)
    records = {s.key: stat_cache.digest(s, snapshot_dir) for s in sources}
    stat_cache.save()
    index, extra = package_indexes(spec, settings)
    cuda_inputs = cuda.check(spec, settings.cuda_base_repository)
    return ResolvedSpec(
        schema_version=SCHEMA_VERSION,
        base_image=_base_image(spec, settings, lookup_digest, cuda_inputs, runtime),
        platforms=target_platforms(spec),
        python_version=spec.python_version,
        apt_packages=tuple(sorted(set(spec.apt_packages or ()) | _python_apt(spec))),
        conda_packages=tuple(sorted(set(spec.conda_packages or ()))),
        conda_channels=tuple(spec.conda_channels or ()),
        cuda=cuda_inputs,
        cudnn=spec.cudnn,
        requirements=requirements,
        packages=tuple(sorted(set(spec.packages or ()))),
        pip_index=grammar.redact_url(index) if index else None,
        pip_extra_index_url=tuple(grammar.redact_url(u) for u in extra),
        pip_extra_args=tuple(shlex.split(spec.pip_extra_args or "")),
        env=dict(sorted((spec.env or {}).items())),
        commands=tuple(spec.commands or ()),
        entrypoint=spec.entrypoint,
        files=records,
        tools=Tools(
            uv=uv_version(),
            template=template_version(),
            dockyard=runtime
            or runtime_install(settings.runtime_source, settings.runtime_extras, settings.work_dir),
        ),
        python_provider=spec.python_provider or ("conda" if spec.conda_packages else "base"),
        pip_lock=locks[0].key if spec.pip_lock else None,
        conda_lock=locks[-1].key if spec.conda_lock else None,
        heavy_layers=heavy_layers.heavy_names(_installed(spec), settings.heavy_packages),
    )


def tag_for(spec_hash: str, tag_format: str | None) -> str:
    short = spec_hash[:TAG_LENGTH]
    return tag_format.format(spec_hash=short) if tag_format else short


def repository(spec: ImageSpec, settings: BuildSettings) -> str:
    return f"{spec.registry or settings.registry}/{spec.name}"


def compute_tag(
    spec: ImageSpec, settings: BuildSettings, *, lookup_digest: LookupDigest | None = None
) -> str:
    """The tag without writing a build context: each file is read once and not copied."""
    return tag_for(resolve(spec, settings, lookup_digest=lookup_digest).spec_hash(), spec.tag_format)


def image_reference(
    spec: ImageSpec, settings: BuildSettings, *, lookup_digest: LookupDigest | None = None
) -> str:
    return _checked_reference(
        f"{repository(spec, settings)}:{compute_tag(spec, settings, lookup_digest=lookup_digest)}"
    )


def _checked_reference(reference: str) -> str:
    try:
        return grammar.image_reference(reference)
    except ValueError as exc:
        raise SpecError(f"ImageSpec.registry: {exc}") from None
