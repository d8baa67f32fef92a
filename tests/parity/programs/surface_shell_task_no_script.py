"""A ShellTask needs a script or a script file."""

from flytekit.extras.tasks.shell import ShellTask

ShellTask(name="nothing")
