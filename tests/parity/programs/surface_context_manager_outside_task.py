"""`FlyteContextManager.current_context()` outside any task: not a local execution, params available."""

from flytekit import FlyteContext, FlyteContextManager
from flytekit.core.context_manager import ExecutionParameters

ctx = FlyteContextManager.current_context()
print(isinstance(ctx, FlyteContext))
print(ctx.execution_state.mode, ctx.execution_state.is_local_execution())
print(isinstance(ctx.user_space_params, ExecutionParameters))
print(ctx.file_access is not None)
