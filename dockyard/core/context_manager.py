"""flytekit's `flytekit.core.context_manager`."""

from dockyard.sdk.context import ExecutionParameters, SecretsManager
from dockyard.sdk.flyte_context import (
    CompilationState,
    ExecutionState,
    FileAccessProvider,
    FlyteContext,
    FlyteContextManager,
)

__all__ = [
    "CompilationState",
    "ExecutionParameters",
    "ExecutionState",
    "FileAccessProvider",
    "FlyteContext",
    "FlyteContextManager",
    "SecretsManager",
]
