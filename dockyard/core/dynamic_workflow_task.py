"""flytekit's `flytekit.core.dynamic_workflow_task`."""

from dockyard.sdk.dynamic import dynamic

__all__ = ["dynamic"]
