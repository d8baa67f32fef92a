"""flytekit's `flytekit.image_spec` path; the spec and its builder live in `dockyard.imagespec`."""

from dockyard.imagespec.spec import ImageBuildEngine, ImageSpec

__all__ = ["ImageBuildEngine", "ImageSpec"]
