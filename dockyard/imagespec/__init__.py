"""The ImageSpec layer: declare an image, resolve it into canonical inputs, hash them into a tag, render a
Dockerfile, and hand builders a ready BuildContext (`prepare`)."""

from dockyard.imagespec.context import BuildContext
from dockyard.imagespec.load import load_spec, load_specs
from dockyard.imagespec.prepare import prepare, render_dockerfile
from dockyard.imagespec.render import RENDERED_FIELDS
from dockyard.imagespec.resolve import ResolvedSpec, compute_tag, image_reference, resolve
from dockyard.imagespec.spec import ImageSpec

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
