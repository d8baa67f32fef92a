"""flytekit's `flytekit.core.legacy_map_task`: the same `map_task` as the array-node one."""

from dockyard.sdk.map_task import MapTask as MapPythonTask
from dockyard.sdk.map_task import map_task

__all__ = ["MapPythonTask", "map_task"]
