"""Where a file's project starts, and importing the file as part of its package, as pyflyte does.

The project root is the first folder above the file without an `__init__.py`; the file is imported by its
dotted path from there (`mypkg/flows.py` → `mypkg.flows`), so `from mypkg import utils` works and a task's
module name is the one containers import from the shipped bundle (rooted at the project root).

pyflyte register's and package's targets (files, package folders with every submodule, dotted package
names) are one rule too (`target_module`, `source_root`, `load_modules`), for `dockyard register`,
`serialize` and `package`.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dockyard.errors import ConfigError, DockyardError
from dockyard.sdk.errors import EntityNotFoundError


@dataclass(frozen=True)
class Source:
    """A Python file located in its project: the root to ship and the module name to import."""

    file: Path
    root: Path
    module: str


def project_root(file: Path) -> Path:
    """The first ancestor folder of `file` without an `__init__.py` (pyflyte's rule)."""
    folder = file.resolve().parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        folder = folder.parent
    return folder


def locate(file: Path) -> Source:
    """The project root and dotted module name of `file`; an error if it is not a .py file."""
    if not file.is_file():
        raise EntityNotFoundError(f"{file}: no such file")
    if file.suffix != ".py":
        raise EntityNotFoundError(f"{file}: not a Python file (.py)")
    resolved = file.resolve()
    root = project_root(resolved)
    parts = resolved.relative_to(root).with_suffix("").parts
    if not all(part.isidentifier() for part in parts):
        raise EntityNotFoundError(f"{file}: {'.'.join(parts)!r} is not an importable module name")
    return Source(resolved, root, ".".join(parts))


def import_source(source: Source) -> Any:
    """Import the file as `source.module`, with the project root first on sys.path."""
    import importlib

    root = str(source.root)
    if root in sys.path:
        sys.path.remove(root)
    sys.path.insert(0, root)
    return importlib.import_module(source.module)


def load(file: Path, name: str) -> Any:
    """The object `name` (a dotted attribute path) of `file`, imported through its package."""
    from dockyard.sdk.entities import load_entity

    source = locate(file)
    import_source(source)
    return load_entity(f"{source.module}:{name}")


def entities_of(file: Path) -> dict[str, Any]:
    """The tasks, workflows and launch plans defined at `file`'s top level, by attribute name."""
    from dockyard.sdk.entities import Entity
    from dockyard.sdk.launch_plan import LaunchPlan

    module = import_source(locate(file))
    found = {}
    for attr, value in vars(module).items():
        if (
            isinstance(value, Entity | LaunchPlan)
            and getattr(value, "module", module.__name__) == module.__name__
        ):
            found[attr] = value
    return found


# ---- pyflyte register/package targets: files, package folders or dotted package names ----


def target_module(path: Path) -> tuple[Path, str]:
    """The import root and dotted name of a file or package folder (folders with `__init__.py` upwards)."""
    path = path.resolve()
    parts = [] if path.is_dir() else [path.stem]
    folder = path if path.is_dir() else path.parent
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    if not parts:
        raise ConfigError(f"{path}: a folder to package must be a Python package (it has no __init__.py)")
    return folder, ".".join(parts)


def source_root(targets: list[str]) -> Path:
    """The folder the targets import from (the current folder for dotted package names)."""
    roots = {target_module(Path(t))[0] if Path(t).exists() else Path.cwd().resolve() for t in targets}
    if len(roots) != 1:
        raise ConfigError(
            f"the targets import from several folders {sorted(map(str, roots))}: one project at a time"
        )
    return roots.pop()


def load_modules(targets: list[str]) -> list[Any]:
    """Import each file, package folder or dotted package name, with every submodule of packages."""
    modules: list[Any] = []
    for target in targets:
        path = Path(target)
        if path.exists():
            root, name = target_module(path)
            if str(root) in sys.path:  # first, before a folder that holds a module of the same name
                sys.path.remove(str(root))
            sys.path.insert(0, str(root))
        elif target.replace(".", "").replace("_", "").isalnum():
            name = target
        else:
            raise ConfigError(f"{target}: no such file, folder or package")
        modules.extend(_import_tree(name))
    return modules


def _import(name: str) -> Any:
    """Import a user's module; what goes wrong in it is one line naming the module."""
    try:
        return importlib.import_module(name)
    except DockyardError:
        raise
    except Exception as exc:
        raise ConfigError(f"{name}: cannot import: {type(exc).__name__}: {exc}") from None


def _import_tree(name: str) -> list[Any]:
    module = _import(name)
    found = [module]
    for info in pkgutil.walk_packages(getattr(module, "__path__", []), prefix=f"{name}."):
        found.append(_import(info.name))
    return found
