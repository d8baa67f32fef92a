"""flytekit's `flytekit.core.interface`: `Interface(inputs=..., outputs=...)` for class-based tasks."""

from dockyard.sdk.interface import Interface

__all__ = ["Interface"]
