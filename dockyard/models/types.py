"""flytekit's `flytekit.models.types`."""

from dockyard.sdk.types.models import LiteralType, SimpleType

__all__ = ["LiteralType", "SimpleType"]
