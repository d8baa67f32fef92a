"""flytekit's `flytekit.extras.tasks.shell`, implemented in `dockyard.sdk.shell`."""

from dockyard.sdk.shell import (
    AttrDict,
    OutputLocation,
    ProcessResult,
    RawShellTask,
    ShellTask,
    get_raw_shell_task,
    subproc_execute,
)

__all__ = [
    "AttrDict",
    "OutputLocation",
    "ProcessResult",
    "RawShellTask",
    "ShellTask",
    "get_raw_shell_task",
    "subproc_execute",
]
