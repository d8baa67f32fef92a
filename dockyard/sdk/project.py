"""Where a file's project starts, and importing the file as part of its package, as pyflyte does.

The project root is the first folder above the file without an `__init__.py`; the file is imported by its
dotted path from there (`mypkg/flows.py` → `mypkg.flows`), so `from mypkg import utils` works and a task's
module name is the one containers import from the shipped bundle (rooted at the project root).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
