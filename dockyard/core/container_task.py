"""flytekit's `flytekit.core.container_task`."""

from dockyard.sdk.container_task import ContainerTask

__all__ = ["ContainerTask"]
