"""flytekit's `flytekit.core.options` import path."""

from dockyard.sdk.options import Options

__all__ = ["Options"]
