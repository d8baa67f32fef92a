"""flytekit's `flytekit.core.array_node_map_task`."""

from dockyard.sdk.map_task import MapTask as ArrayNodeMapTask
from dockyard.sdk.map_task import map_task

array_node_map_task = map_task

__all__ = ["ArrayNodeMapTask", "array_node_map_task", "map_task"]
