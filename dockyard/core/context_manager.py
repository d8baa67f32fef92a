"""flytekit's `flytekit.core.context_manager`."""

from dockyard.sdk.context import ExecutionParameters, SecretsManager
from dockyard.sdk.flyte_context import ExecutionState, FileAccessProvider, FlyteContext, FlyteContextManager

__all__ = [
    "ExecutionParameters",
    "ExecutionState",
    "FileAccessProvider",
    "FlyteContext",
    "FlyteContextManager",
    "SecretsManager",
]
