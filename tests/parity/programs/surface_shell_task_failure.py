"""A failing script raises the error flytekit raises; its type is what callers catch."""

from flytekit.extras.tasks.shell import ShellTask

fail = ShellTask(name="fail", script="exit 3")
try:
    fail()
except Exception as exc:
    print(type(exc).__name__, "return-code 3" in str(exc))
