"""flytekit's `flytekit.extend`: what plugin and custom-type authors build on."""

from dockyard.core import context_manager
from dockyard.sdk.configuration import Image, ImageConfig, SerializationSettings
from dockyard.sdk.context import ExecutionParameters, SecretsManager
from dockyard.sdk.flyte_context import ExecutionState, FlyteContext, FlyteContextManager
from dockyard.sdk.instance_task import IgnoreOutputs, PythonInstanceTask, TaskMetadata
from dockyard.sdk.interface import Interface
from dockyard.sdk.task import PythonTask
from dockyard.sdk.types import TypeEngine
from dockyard.sdk.types.custom import SimpleTransformer, TypeTransformer

__all__ = [
    "ExecutionParameters",
    "ExecutionState",
    "FlyteContext",
    "FlyteContextManager",
    "IgnoreOutputs",
    "Image",
    "ImageConfig",
    "Interface",
    "PythonInstanceTask",
    "PythonTask",
    "SecretsManager",
    "SerializationSettings",
    "SimpleTransformer",
    "TaskMetadata",
    "TypeEngine",
    "TypeTransformer",
    "context_manager",
]
