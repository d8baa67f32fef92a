"""The checkpoint a task gets is flytekit's checkpoint type, from flytekit.core.checkpointer."""

from flytekit import current_context, task
from flytekit.core.checkpointer import Checkpoint


@task
def kind() -> bool:
    return isinstance(current_context().checkpoint, Checkpoint)


print(kind())
