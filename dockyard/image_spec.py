"""flytekit's `flytekit.image_spec` path; the spec and its builder live in `dockyard.imagespec`."""

from dockyard.imagespec.spec import ImageSpec

__all__ = ["ImageSpec"]
