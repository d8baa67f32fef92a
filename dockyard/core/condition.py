"""flytekit's `flytekit.core.condition`."""

from dockyard.sdk.conditional import ConditionalSection, conditional

__all__ = ["ConditionalSection", "conditional"]
