"""flytekit's `flytekit.image_spec.image_spec` path (where builder plugins import from)."""

from dockyard.imagespec.spec import ImageBuildEngine, ImageSpec, ImageSpecBuilder

__all__ = ["ImageBuildEngine", "ImageSpec", "ImageSpecBuilder"]
