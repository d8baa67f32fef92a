"""The execution state's mode inside a local task and outside any."""

from flytekit import FlyteContextManager, task
from flytekit.core.context_manager import ExecutionState


@task
def mode() -> str:
    state = FlyteContextManager.current_context().execution_state
    return f"{state.mode.name} {state.mode == ExecutionState.Mode.LOCAL_TASK_EXECUTION}"


print(mode())
print(FlyteContextManager.current_context().execution_state.mode)
