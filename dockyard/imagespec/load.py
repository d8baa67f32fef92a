"""Find specs named on a command line: a YAML file, or `module.py:variable` / `package.module:variable`.

Shared by `dockyard render`, `dockyard explain` and `dockyard build`, so every command reads specs alike.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from dockyard.errors import SpecError
from dockyard.imagespec.spec import ImageSpec


def _module_from(target: str) -> ModuleType:
    if target.endswith(".py"):
        path = Path(target).absolute()
        if not path.is_file():
            raise SpecError(f"{target}: no such file")
        name = f"_dockyard_spec_{path.stem}_{abs(hash(str(path)))}"
        module_spec = importlib.util.spec_from_file_location(name, path)
        assert module_spec is not None and module_spec.loader is not None
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        folder = str(path.parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)  # so the module can import its siblings
        try:
            module_spec.loader.exec_module(module)
        except SpecError:
            raise
        except SystemExit as exc:
            raise SpecError(f"{target}: called sys.exit({exc.code!r}) while being imported") from None
        except (SyntaxError, ValueError) as exc:  # not Python text: not UTF-8, NUL bytes, a binary file
            raise SpecError(f"{target}: cannot import: {str(exc).splitlines()[0]}") from None
        return module
    try:
        return importlib.import_module(target)
    except ImportError as exc:
        raise SpecError(f"{target}: cannot import: {exc}") from None
    except SystemExit as exc:
        raise SpecError(f"{target}: called sys.exit({exc.code!r}) while being imported") from None


def load_specs(reference: str) -> list[ImageSpec]:
    """Every spec a reference names: a YAML file gives one; `module` gives all its module-level ImageSpecs;
    `module:variable` gives that one."""
    if reference.endswith((".yaml", ".yml")):
        return [ImageSpec.from_yaml(reference)]
    target, _, variable = reference.partition(":")
    module = _module_from(target)
    if variable:
        value = getattr(module, variable, None)
        if not isinstance(value, ImageSpec):
            raise SpecError(f"{reference}: {variable} is not an ImageSpec in {target}")
        return [value]
    found = [v for v in vars(module).values() if isinstance(v, ImageSpec)]
    if not found:
        raise SpecError(f"{reference}: defines no ImageSpec")
    return list({id(s): s for s in found}.values())


def load_spec(reference: str) -> ImageSpec:
    """Exactly one spec, or an error asking for `:variable`."""
    specs = load_specs(reference)
    if len(specs) != 1:
        raise SpecError(f"{reference}: defines {len(specs)} ImageSpecs; name one as {reference}:VARIABLE")
    return specs[0]
