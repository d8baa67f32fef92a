"""flytekit's `flytekit.core.task`."""

from dockyard.sdk.context import Secret
from dockyard.sdk.instance_task import Echo, TaskMetadata
from dockyard.sdk.reference import ReferenceTask, TaskReference, reference_task
from dockyard.sdk.resources import PodTemplate, Resources
from dockyard.sdk.task import PythonTask, eager, task

PythonFunctionTask = PythonTask

__all__ = [
    "Echo",
    "PodTemplate",
    "PythonFunctionTask",
    "PythonTask",
    "ReferenceTask",
    "Resources",
    "Secret",
    "TaskMetadata",
    "TaskReference",
    "eager",
    "reference_task",
    "task",
]
