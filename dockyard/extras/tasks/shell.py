"""flytekit's `flytekit.extras.tasks.shell`, implemented in `dockyard.sdk.shell`."""

from dockyard.sdk.shell import AttrDict, OutputLocation, ProcessResult, ShellTask, subproc_execute

__all__ = ["AttrDict", "OutputLocation", "ProcessResult", "ShellTask", "subproc_execute"]
