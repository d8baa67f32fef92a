"""dockyard as flytekit's image builder: `ImageSpec(builder="dockyard")` in flytekit 1.16 code builds here.

flytekit imports this module through its own plugin entry point (`flytekit.plugins`, see pyproject.toml),
which registers the builder with `ImageBuildEngine`. flytekit's ImageSpec is translated field by field into
dockyard's; a field dockyard cannot honour is a one-line error naming it. The builder returns the image
dockyard pushed (repository@digest), which flytekit records as the real name of its spec
(`ImageBuildEngine._IMAGE_NAME_TO_REAL_NAME`), so the task templates flytekit writes name dockyard's image.

dockyard becomes flytekit's default builder (for specs that name none) when
`DOCKYARD_FLYTEKIT_DEFAULT_BUILDER` is set to 1 in the environment of pyflyte: it is then registered above
flytekit's own (priority 1).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from flytekit.image_spec.image_spec import ImageBuildEngine, ImageSpecBuilder

from dockyard.errors import SpecError
from dockyard.flyte import FLYTE_RUNTIME_EXTRA

BUILDER = "dockyard"
DEFAULT_ENV = "DOCKYARD_FLYTEKIT_DEFAULT_BUILDER"

# flytekit fields dockyard's ImageSpec has under the same name and meaning
SAME = (
    "name",
    "python_version",
    "env",
    "registry",
    "packages",
    "conda_packages",
    "conda_channels",
    "requirements",
    "apt_packages",
    "cuda",
    "cudnn",
    "base_image",
    "platform",
    "pip_index",
    "pip_extra_index_url",
    "pip_secret_mounts",
    "pip_extra_args",
    "entrypoint",
    "commands",
    "tag_format",
    "copy",
    "builder_options",
)
# flytekit fields with no dockyard meaning: set, they are refused rather than dropped
REFUSED = {
    "registry_config": "dockyard reads registry credentials from $DOCKER_CONFIG/config.json",
    "python_exec": "dockyard installs into the Python its python_provider chooses",
    "runtime_packages": "dockyard installs nothing at run time (images are content-addressed)",
    "builder_config": "dockyard's builders take their settings from dockyard's configuration",
}
HANDLED = {"builder", "source_root", "source_copy_mode"}


def _loaded_files(root: Path) -> list[str]:
    """The loaded modules' files under `root`, relative to it (flytekit's LOADED_MODULES copy mode)."""
    files = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path:
            continue
        resolved = Path(path).resolve()
        if resolved.is_relative_to(root) and "site-packages" not in resolved.parts:
            files.add(resolved.relative_to(root).as_posix())
    return sorted(files)


def translate(spec: Any) -> Any:
    """flytekit's ImageSpec as dockyard's, field by field."""
    from dockyard.imagespec import ImageSpec

    fields = {f for f in spec.__dataclass_fields__}
    unknown = sorted(fields - set(SAME) - set(REFUSED) - HANDLED)
    if unknown:  # a field newer than this translation: refuse rather than drop it
        set_unknown = [f for f in unknown if getattr(spec, f) is not None]
        if set_unknown:
            raise SpecError(f"ImageSpec.{set_unknown[0]}: dockyard does not know this flytekit field")
    for field, why in REFUSED.items():
        if getattr(spec, field, None) is not None:
            raise SpecError(f"ImageSpec.{field}: dockyard cannot honour it ({why})")
    values = {f: getattr(spec, f) for f in SAME if getattr(spec, f) is not None}
    mode = getattr(spec.source_copy_mode, "name", spec.source_copy_mode)
    root = Path(spec.source_root or ".").resolve()
    base_dir = None
    if mode == "ALL":
        values["source_root"] = str(root)
    elif mode == "LOADED_MODULES":
        values["copy"] = tuple(values.get("copy") or ()) + tuple(_loaded_files(root))
        base_dir = root
    elif mode not in (None, "NO_COPY"):
        raise SpecError(f"ImageSpec.source_copy_mode: {mode} is not a copy mode dockyard knows")
    if base_dir is not None:
        cwd = Path.cwd()
        os.chdir(base_dir)  # dockyard resolves `copy` against the folder the spec is made in
        try:
            return ImageSpec(**values)
        finally:
            os.chdir(cwd)
    return ImageSpec(**values)


class DockyardImageSpecBuilder(ImageSpecBuilder):
    """Builds flytekit's ImageSpecs with dockyard's engine: content-hash tags, fail-closed existence check."""

    builder_type = BUILDER

    def should_build(self, image_spec: Any) -> bool:
        return True  # dockyard's engine checks the registry itself, and never guesses when it cannot

    def build_image(self, image_spec: Any) -> str:
        from dockyard.builders.engine import BuildEngine
        from dockyard.config import get_settings

        spec = translate(image_spec)
        settings = get_settings()
        build = settings.build.with_runtime_extras(FLYTE_RUNTIME_EXTRA)
        outcome = BuildEngine(settings.model_copy(update={"build": build})).ensure([spec])[spec]
        return str(outcome.image_ref)


ImageBuildEngine.register(
    BUILDER, DockyardImageSpecBuilder(), priority=10 if os.environ.get(DEFAULT_ENV) == "1" else 0
)
