"""The ImageSpec layer: declare an image, resolve it into canonical inputs, hash them into a tag, render a
Dockerfile, and hand builders a ready BuildContext (`prepare`).

Names are loaded on first use (PEP 562): a task container whose module declares an `ImageSpec` imports
only `spec.py` and what it needs, not the rendering, resolving and build-context modules (jinja2,
filelock, the settings), which `dockyard-execute` never uses."""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dockyard.imagespec.context import BuildContext
    from dockyard.imagespec.load import load_spec, load_specs
    from dockyard.imagespec.prepare import prepare, render_dockerfile
    from dockyard.imagespec.resolve import ResolvedSpec, compute_tag, image_reference, resolve
    from dockyard.imagespec.spec import RENDERED_FIELDS, ImageSpec

_HOMES = {
    "RENDERED_FIELDS": "spec",
    "BuildContext": "context",
    "ImageSpec": "spec",
    "ResolvedSpec": "resolve",
    "compute_tag": "resolve",
    "image_reference": "resolve",
    "load_spec": "load",
    "load_specs": "load",
    "prepare": "prepare",
    "render_dockerfile": "prepare",
    "resolve": "resolve",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


class _Package(types.ModuleType):
    """`prepare` and `resolve` name both a module and its function; the package's attribute is the
    function, as it was when this file imported them, even after the import system binds the module."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("prepare", "resolve") and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "RENDERED_FIELDS",
    "BuildContext",
    "ImageSpec",
    "ResolvedSpec",
    "compute_tag",
    "image_reference",
    "load_spec",
    "load_specs",
    "prepare",
    "render_dockerfile",
    "resolve",
]
