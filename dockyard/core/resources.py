"""flytekit's `flytekit.core.resources`."""

from dockyard.sdk.resources import Resources

__all__ = ["Resources"]
