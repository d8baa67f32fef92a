"""The ImageSpec model: what a user declares, validated at construction, never mutated afterwards.

Field names and meanings follow flytekit's ImageSpec so flytekit code runs unchanged. Unlike flytekit the
model is frozen (lists become tuples, dicts become read-only), unknown fields are errors, and every value is
checked against the grammar it will meet in a Dockerfile or a registry (`grammar.py`).
"""

from __future__ import annotations

import contextvars
import hashlib
import importlib
import json
import os
import shlex
import sys
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, field_validator, model_validator

from dockyard.errors import SpecError
from dockyard.imagespec import grammar
from dockyard.imagespec.cuda import check as check_cuda

if TYPE_CHECKING:
    from dockyard.config import BuildSettings

# Set by the task runtime to the `identity()` of the spec the container was started from.
IMAGE_SPEC_ID_ENV = "DOCKYARD_IMAGE_SPEC_ID"
LOCK_FILES = ("uv.lock", "poetry.lock")
DEFAULT_BUILDER = "default"  # flytekit's name for the builder used when none is named: `build.builder`

# Fields the templates honour (all of them: an unrendered field would be silently ignored). Here, not in
# render.py, so a builder's field check (`supported_fields`) does not load jinja2.
RENDERED_FIELDS = frozenset(
    {
        "name",
        "base_image",
        "python_version",
        "packages",
        "requirements",
        "apt_packages",
        "env",
        "commands",
        "source_root",
        "copy",
        "registry",
        "platform",
        "pip_index",
        "pip_extra_index_url",
        "pip_secret_mounts",
        "pip_extra_args",
        "entrypoint",
        "tag_format",
        "builder",
        "builder_options",
        "cuda",
        "cudnn",
        "cuda_strategy",
        "cuda_flavour",
        "python_provider",
        "pip_lock",
        "conda_lock",
        "conda_packages",
        "conda_channels",
    }
)

# Relative paths in a spec are relative to this directory (the YAML file's folder, else the cwd).
_BASE_DIR: contextvars.ContextVar[Path | None] = contextvars.ContextVar(
    "dockyard_spec_base_dir", default=None
)


class FrozenDict(dict[str, str]):
    """A dict that refuses mutation and can be hashed, so a frozen spec is really immutable."""

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError("ImageSpec mappings are read-only; use a with_* method or build a new spec")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))

    def __reduce__(self) -> tuple[type[FrozenDict], tuple[dict[str, str]]]:
        # pickle and deepcopy would otherwise refill the mapping item by item, which it refuses.
        return (FrozenDict, (dict(self),))


def _first_error(exc: ValidationError) -> str:
    """One line naming the field: `packages[0]: invalid PEP 508 requirement ...`."""
    err = exc.errors()[0]
    where = ""
    for part in err["loc"]:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown field"
    return f"ImageSpec.{where}: {msg}" if where else f"ImageSpec: {msg}"


with warnings.catch_warnings():
    # `copy` is flytekit's field name; it shadows pydantic's deprecated BaseModel.copy on purpose.
    warnings.filterwarnings("ignore", message='Field name "copy"')

    class ImageSpec(BaseModel):
        """A container image, declared. See docs/imagespec.md for every field."""

        model_config = ConfigDict(frozen=True, extra="forbid")

        name: str = "dockyard"
        python_version: str | None = None
        builder: str | None = None
        source_root: str | None = None
        env: dict[str, str] | None = None
        registry: str | None = None
        packages: tuple[str, ...] | None = None
        conda_packages: tuple[str, ...] | None = None
        conda_channels: tuple[str, ...] | None = None
        requirements: str | None = None
        apt_packages: tuple[str, ...] | None = None
        cuda: str | None = None
        cudnn: str | None = None
        cuda_strategy: Literal["base", "wheels"] | None = None  # dockyard: where CUDA comes from
        cuda_flavour: Literal["runtime", "devel"] | None = None  # dockyard: nvidia/cuda flavour (base)
        python_provider: Literal["base", "uv", "conda"] | None = None  # dockyard: who installs Python
        pip_lock: str | None = None  # dockyard: `dockyard lock` output the packages install from
        conda_lock: str | None = None  # dockyard: conda-lock file the conda environment is made from
        base_image: str | ImageSpec | None = None
        platform: str | None = None
        pip_index: str | None = None
        pip_extra_index_url: tuple[str, ...] | None = None
        pip_secret_mounts: tuple[tuple[str, str], ...] | None = None
        pip_extra_args: str | None = None
        entrypoint: tuple[str, ...] | None = None
        commands: tuple[str, ...] | None = None
        tag_format: str | None = None
        copy: tuple[str, ...] | None = None  # type: ignore[assignment]
        builder_options: dict[str, str] | None = None

        _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
        _force_push: bool = PrivateAttr(default=False)  # set by force_push(); not a field, not in the tag

        def __init__(self, **data: Any) -> None:
            try:
                super().__init__(**data)
            except ValidationError as exc:
                raise SpecError(_first_error(exc)) from None

        # --- field grammar --------------------------------------------------------------------------------
        @field_validator("name", "registry", mode="before")
        @classmethod
        def _lower(cls, value: Any) -> Any:
            # flytekit lowercases both; OCI repository paths are lowercase.
            return value.lower() if isinstance(value, str) else value

        @field_validator("builder")
        @classmethod
        def _builder(cls, value: str | None) -> str | None:
            # "default" is the name flytekit registers its own builder under: here, the configured one.
            return None if value == DEFAULT_BUILDER else value

        @field_validator("name")
        @classmethod
        def _name(cls, value: str) -> str:
            return grammar.repository(value)

        @field_validator("registry")
        @classmethod
        def _registry(cls, value: str | None) -> str | None:
            return None if value is None else grammar.registry(value)

        @field_validator("packages")
        @classmethod
        def _packages(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
            return None if value is None else tuple(grammar.requirement(v) for v in value)

        @field_validator("conda_packages")
        @classmethod
        def _conda_packages(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
            return None if value is None else tuple(grammar.conda_spec(v) for v in value)

        @field_validator("conda_channels")
        @classmethod
        def _conda_channels(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
            return None if value is None else tuple(grammar.conda_channel(v) for v in value)

        @field_validator("apt_packages")
        @classmethod
        def _apt(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
            return None if value is None else tuple(grammar.apt_package(v) for v in value)

        @field_validator("python_version", "cuda", "cudnn", mode="before")
        @classmethod
        def _not_a_number(cls, value: Any) -> Any:
            # flytekit takes `python_version: 3.10` and builds Python 3.1: refuse the number, say why.
            if isinstance(value, int | float) and not isinstance(value, bool):
                raise ValueError(
                    f"{value!r} is a number; quote the version ('3.10'), as Python and YAML read 3.10 as 3.1"
                )
            return value

        @field_validator("python_version", "cuda", "cudnn")
        @classmethod
        def _version(cls, value: str | None) -> str | None:
            return None if value is None else grammar.version(value)

        @field_validator("platform")
        @classmethod
        def _platform(cls, value: str | None) -> str | None:
            return None if value is None else grammar.platform(value)

        @field_validator("pip_index")
        @classmethod
        def _index(cls, value: str | None) -> str | None:
            return None if value is None else grammar.index_url(value)

        @field_validator("pip_extra_index_url")
        @classmethod
        def _extra_index(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
            return None if value is None else tuple(grammar.index_url(v) for v in value)

        @field_validator("base_image")
        @classmethod
        def _base(cls, value: str | ImageSpec | None) -> str | ImageSpec | None:
            return grammar.image_reference(value) if isinstance(value, str) else value

        @field_validator("env", "builder_options", mode="before")
        @classmethod
        def _scalars_to_str(cls, value: Any) -> Any:
            if isinstance(value, dict):
                return {k: str(v) if isinstance(v, int | float | bool) else v for k, v in value.items()}
            return value

        @field_validator("env")
        @classmethod
        def _env(cls, value: dict[str, str] | None) -> FrozenDict | None:
            if value is None:
                return None
            for key, val in value.items():
                grammar.env_name(key)
                grammar.no_control(val, f"a value for {key}")
                grammar.not_a_secret(key, val)
            return FrozenDict(value)

        @field_validator("builder_options")
        @classmethod
        def _options(cls, value: dict[str, str] | None) -> FrozenDict | None:
            if value is None:
                return None
            for key, val in value.items():
                grammar.env_name(key.replace("-", "_"))
                grammar.no_control(val, f"a value for {key}")
            return FrozenDict(value)

        @field_validator("commands", "entrypoint")
        @classmethod
        def _no_control(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
            # Rendered in exec form, but a newline is still refused: one entry is one line, one step.
            return None if value is None else tuple(grammar.no_control(v, "one line") for v in value)

        @field_validator("commands")
        @classmethod
        def _commands(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
            if value is not None and any(not c.strip() for c in value):
                raise ValueError("an empty command")
            return value

        @field_validator("pip_extra_args")
        @classmethod
        def _extra_args(cls, value: str | None) -> str | None:
            if value is not None:
                grammar.no_control(value, "one line of installer arguments")
                if grammar.has_credentials(value):
                    raise ValueError(
                        "carries credentials, which would be stored in the image's labels and history;"
                        " put an index URL with credentials in pip_index or pip_extra_index_url"
                        " (they go through BuildKit secrets)"
                    )
                try:
                    shlex.split(value)
                except ValueError as exc:
                    raise ValueError(f"cannot be split into arguments: {exc}") from None
            return value

        @field_validator("pip_secret_mounts")
        @classmethod
        def _secret_mounts(
            cls, value: tuple[tuple[str, str], ...] | None
        ) -> tuple[tuple[str, str], ...] | None:
            for src, dst in value or ():
                grammar.no_control(src, "a file path")
                if not dst.startswith("/") or any(c.isspace() or c in ",\"'" for c in dst):
                    raise ValueError(
                        f"target {dst!r} must be an absolute path without spaces, commas or quotes"
                    )
            return value

        @field_validator("source_root", "requirements", "pip_lock", "conda_lock", mode="before")
        @classmethod
        def _relative(cls, value: Any) -> Any:
            # flytekit specs often name files as `str(Path(__file__).parent / "requirements.txt")`; `copy`
            # stays relative only, as flytekit's builder requires.
            return _project_relative(value)

        @field_validator("copy")
        @classmethod
        def _copy(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
            return None if value is None else tuple(grammar.project_path(v) for v in value)

        @field_validator("source_root", "requirements", "pip_lock", "conda_lock")
        @classmethod
        def _project_path(cls, value: str | None) -> str | None:
            return None if value is None else grammar.project_path(value)

        @field_validator("tag_format")
        @classmethod
        def _tag_format(cls, value: str | None) -> str | None:
            if value is None:
                return None
            grammar.no_control(value, "a tag format")
            if "{spec_hash}" not in value:
                raise ValueError("must contain {spec_hash}, or every spec would share one tag")
            try:
                grammar.tag(value.format(spec_hash="0" * 32))
            except (KeyError, IndexError, ValueError) as exc:
                raise ValueError(f"{value!r} does not make a valid tag: {exc}") from None
            return value

        # --- combinations and files -----------------------------------------------------------------------
        @model_validator(mode="after")
        def _whole(self) -> ImageSpec:
            self._base_dir = _BASE_DIR.get() or Path.cwd()
            check_cuda(self)
            _check_python_provider(self)
            if self.conda_channels and not self.conda_packages:
                raise ValueError("conda_channels: set without conda_packages")
            if self.requirements and Path(self.requirements).name in LOCK_FILES and self.conda_packages:
                raise ValueError("requirements: a lock file cannot be combined with conda_packages")
            return self

        def check_files(self) -> None:
            """The files the spec names are there. flytekit looks for them when it builds, not when the
            spec is declared (a local run never needs them), and so does dockyard: `resolve` calls this."""
            try:
                self._check_files()
            except ValueError as exc:
                raise SpecError(f"ImageSpec: {exc}") from None

        def _check_files(self) -> None:
            if self.source_root is not None and not self.path(self.source_root).is_dir():
                raise ValueError(f"source_root: {self.path(self.source_root)} is not a directory")
            for item in self.copy or ():
                if not self.path(item).exists():
                    raise ValueError(f"copy: {self.path(item)} does not exist")
            if self.requirements is not None:
                req = self.path(self.requirements)
                if not req.is_file():
                    raise ValueError(f"requirements: {req} does not exist")
                if req.name in LOCK_FILES and not (req.parent / "pyproject.toml").is_file():
                    raise ValueError(
                        f"requirements: {req.name} needs pyproject.toml beside it in {req.parent}"
                    )
            for src, _dst in self.pip_secret_mounts or ():
                if not self.secret_file(src).is_file():
                    raise ValueError(f"pip_secret_mounts: {self.secret_file(src)} does not exist")

        # --- public API -----------------------------------------------------------------------------------
        def path(self, relative: str) -> Path:
            """A path of the spec made absolute against the folder it was declared in."""
            return (self._base_dir / relative).absolute()

        def secret_file(self, source: str) -> Path:
            """A `pip_secret_mounts` source: a host file outside the project is fine (it is never in the
            context or the hash), and `~` means the user's home."""
            return (self._base_dir / Path(source).expanduser()).absolute()

        @property
        def base_dir(self) -> Path:
            return self._base_dir

        @property
        def platforms(self) -> tuple[str, ...]:
            """The declared platforms, sorted; empty when the builder's host platform applies."""
            if not self.platform:
                return ()
            return tuple(sorted({p.strip() for p in self.platform.split(",")}))

        def declared(self) -> dict[str, Any]:
            """The fields the user set (None left out), as JSON-ready data."""
            return self.model_dump(mode="json", exclude_none=True)

        def identity(self) -> str:
            """sha256 of the declared fields: cheap (no file reads, no network), the same in every process.

            The task runtime exports it as DOCKYARD_IMAGE_SPEC_ID so `is_container()` can recognise its image.
            """
            text = json.dumps(self.declared(), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
            return hashlib.sha256(text.encode()).hexdigest()

        def is_container(self) -> bool:
            """flytekit's rule: True outside any container run (a local run, or a module imported on a laptop,
            so `if spec.is_container(): import heavy` still imports locally); inside a dockyard container
            (`DOCKYARD_EXECUTION_ID` set by the orchestrator) only when it runs this spec's image."""
            from dockyard.sdk.context import is_local_execution

            if is_local_execution() or not os.environ.get("DOCKYARD_EXECUTION_ID"):
                return True
            return os.environ.get(IMAGE_SPEC_ID_ENV) == self.identity()

        def image_name(self, settings: BuildSettings | None = None) -> str:
            """`registry/name:tag` as the builders will push it (base image pinned by registry digest)."""
            return _registry_view().image_name(self, settings)

        def exist(self) -> bool:
            """Whether the registry holds this image for every requested platform (the check `build` and
            `dockyard exists` make). Unlike flytekit, an unclear answer raises."""
            return _registry_view().exist(self)

        def _derive(self, **changes: Any) -> ImageSpec:
            token = _BASE_DIR.set(self._base_dir)
            try:
                return type(self)(**{**self._fields_as_given(), **changes})
            finally:
                _BASE_DIR.reset(token)

        def _fields_as_given(self) -> dict[str, Any]:
            return {
                name: getattr(self, name)
                for name in type(self).model_fields
                if getattr(self, name) is not None
            }

        def with_packages(self, packages: str | Iterable[str]) -> ImageSpec:
            return self._derive(packages=(*(self.packages or ()), *_as_tuple(packages)))

        def with_apt_packages(self, apt_packages: str | Iterable[str]) -> ImageSpec:
            return self._derive(apt_packages=(*(self.apt_packages or ()), *_as_tuple(apt_packages)))

        def with_commands(self, commands: str | Iterable[str]) -> ImageSpec:
            return self._derive(commands=(*(self.commands or ()), *_as_tuple(commands)))

        def with_copy(self, src: str | Iterable[str]) -> ImageSpec:
            return self._derive(copy=(*(self.copy or ()), *_as_tuple(src)))

        def with_builder_options(self, builder_options: dict[str, Any]) -> ImageSpec:
            return self._derive(builder_options={**(self.builder_options or {}), **builder_options})

        def force_push(self) -> ImageSpec:
            """flytekit's: the same spec, built and pushed even when the registry already holds its tag."""
            forced = self.model_copy()
            forced._force_push = True
            return forced

        @property
        def is_force_push(self) -> bool:
            return self._force_push

        @classmethod
        def from_env(cls, *, pinned_packages: Iterable[str] | None = None, **kwargs: Any) -> ImageSpec:
            """flytekit's `from_env`: this interpreter's major.minor, and the named packages pinned to the
            versions installed here (so the image matches the environment that declared it)."""
            from importlib.metadata import PackageNotFoundError, version

            if "python_version" in kwargs:
                raise SpecError("ImageSpec.from_env: python_version is taken from this interpreter")
            pins = []
            for package in pinned_packages or ():
                try:
                    pins.append(f"{package}=={version(package)}")
                except PackageNotFoundError:
                    raise SpecError(
                        f"ImageSpec.from_env: pinned package {package} is not installed"
                    ) from None
            packages = (*(kwargs.pop("packages", None) or ()), *pins)
            return cls(
                python_version=f"{sys.version_info.major}.{sys.version_info.minor}",
                packages=packages or None,
                **kwargs,
            )

        @classmethod
        def from_yaml(cls, path: str | Path) -> ImageSpec:
            """Load a YAML spec; its relative paths are relative to the YAML file's folder."""
            from dockyard.imagespec.yaml_input import read_yaml  # yaml: not in a task's start-up

            file = Path(path)
            data = read_yaml(file)
            if not isinstance(data, dict):
                raise SpecError(f"{file}: must be a mapping of ImageSpec fields")
            _reject_unknown(data, file)
            token = _BASE_DIR.set(file.parent.absolute())
            try:
                return cls(**data)
            except SpecError as exc:
                raise SpecError(f"{file}: {exc}") from None
            finally:
                _BASE_DIR.reset(token)

        from_file = from_yaml


class RegistryView(Protocol):
    """What flytekit's `image_name()` / `exist()` need from a registry. imagespec never imports the builders
    room; `dockyard.builders.engine` installs its view with `use_registry_view` when it is imported."""

    def image_name(self, spec: ImageSpec, settings: BuildSettings | None) -> str: ...

    def exist(self, spec: ImageSpec) -> bool: ...

    def build(self, spec: ImageSpec) -> str: ...


_REGISTRY_VIEW: list[RegistryView] = []
_REGISTRY_VIEW_MODULE = "dockyard.builders.engine"  # imported by name on first use; it installs its view


def use_registry_view(view: RegistryView) -> None:
    _REGISTRY_VIEW[:] = [view]


def _registry_view() -> RegistryView:
    if not _REGISTRY_VIEW:
        importlib.import_module(_REGISTRY_VIEW_MODULE)
    return _REGISTRY_VIEW[0]


class ImageSpecBuilder:
    """flytekit's base of a builder registered with `ImageBuildEngine.register`: it builds when the
    registry lacks the image."""

    def build_image(self, image_spec: ImageSpec) -> str | None:
        raise NotImplementedError

    def should_build(self, image_spec: ImageSpec) -> bool:
        return image_spec.is_force_push or not image_spec.exist()


class ImageBuildEngine:
    """flytekit's `ImageBuildEngine`: `build(spec)` makes the spec's image exist (built and pushed unless
    the registry holds it, nested base specs first) with the engine `dockyard build` uses; inside a task run
    it does nothing, as in flytekit. A flytekit-style builder registered under the spec's `builder` name
    (an object with `should_build(spec)` and `build_image(spec)`) builds instead."""

    _REGISTRY: ClassVar[dict[str, tuple[Any, int]]] = {}

    @classmethod
    def register(cls, builder_type: str, image_spec_builder: Any, priority: int = 5) -> None:
        cls._REGISTRY[builder_type] = (image_spec_builder, priority)

    @classmethod
    def get_registry(cls) -> dict[str, tuple[Any, int]]:
        return cls._REGISTRY

    @classmethod
    def build(cls, image_spec: ImageSpec) -> None:
        from dockyard.sdk.context import is_local_execution

        if is_local_execution() or os.environ.get("DOCKYARD_EXECUTION_ID"):
            return
        registered = cls._REGISTRY.get(image_spec.builder or "")
        if registered is None:
            _registry_view().build(image_spec)
        elif registered[0].should_build(image_spec):
            registered[0].build_image(image_spec)


def _check_python_provider(spec: ImageSpec) -> None:
    """conda brings its own Python, uv downloads one: both need to know which."""
    provider = spec.python_provider
    if spec.conda_packages and provider == "base":
        raise ValueError("python_provider: 'base' cannot install conda_packages; use 'conda'")
    if provider in ("uv", "conda") and spec.python_version is None:
        raise ValueError(f"python_version: required with python_provider {provider!r}")
    if spec.conda_lock is not None:
        if not spec.conda_packages:
            raise ValueError("conda_lock: set without conda_packages")
        if not spec.conda_lock.endswith(("-lock.yml", "-lock.yaml")):
            raise ValueError(
                f"conda_lock: {spec.conda_lock!r} must end in -lock.yml (micromamba reads it so)"
            )
    if spec.pip_lock is not None and spec.requirements and Path(spec.requirements).name in LOCK_FILES:
        raise ValueError(f"pip_lock: cannot be combined with requirements {spec.requirements!r}, a lock")


def _project_relative(value: Any) -> Any:
    """An absolute path (or a `Path`) inside the folder the spec is declared in, made relative to it; the
    spec then means the same on every machine. Anything else is left for the grammar to judge."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not os.path.isabs(value):
        return value
    base = (_BASE_DIR.get() or Path.cwd()).absolute()
    path = Path(os.path.normpath(value))
    if not path.is_relative_to(base):
        raise ValueError(f"{value!r} is outside the project folder {base}; name a path inside it")
    return path.relative_to(base).as_posix() or "."


def _reject_unknown(data: dict[str, Any], file: Path, where: str = "") -> None:
    """Name an unknown YAML key exactly, nested base specs included."""
    for key, value in data.items():
        if key not in ImageSpec.model_fields:
            raise SpecError(f"{file}: unknown key '{where}{key}'")
        if key == "base_image" and isinstance(value, dict):
            _reject_unknown(value, file, f"{where}base_image.")


def _as_tuple(value: str | Iterable[str]) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    else:
        yield from value


ImageSpec.model_rebuild()
