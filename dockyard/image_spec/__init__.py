"""flytekit's `flytekit.image_spec` path; the spec and its builder live in `dockyard.imagespec`."""

from dockyard.imagespec.spec import ImageBuildEngine, ImageSpec, ImageSpecBuilder

__all__ = ["ImageBuildEngine", "ImageSpec", "ImageSpecBuilder"]
