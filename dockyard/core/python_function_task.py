"""flytekit's `flytekit.core.python_function_task`."""

from dockyard.sdk.instance_task import PythonInstanceTask
from dockyard.sdk.task import PythonTask

PythonFunctionTask = PythonTask

__all__ = ["PythonFunctionTask", "PythonInstanceTask"]
