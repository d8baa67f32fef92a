"""flytekit's `flytekit.models.core.types`."""

from dockyard.sdk.types.models import BlobType

__all__ = ["BlobType"]
