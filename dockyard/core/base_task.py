"""flytekit's `flytekit.core.base_task`. `Task` and `PythonTask` name dockyard's one task class."""

from dockyard.sdk.instance_task import IgnoreOutputs, TaskMetadata
from dockyard.sdk.task import PythonTask
from dockyard.sdk.types import kwtypes

Task = PythonTask

__all__ = ["IgnoreOutputs", "PythonTask", "Task", "TaskMetadata", "kwtypes"]
