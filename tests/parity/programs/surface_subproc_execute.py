"""`subproc_execute` runs a command and returns its output; a failing command raises."""

from flytekit.extras.tasks.shell import subproc_execute

result = subproc_execute(["echo", "hello"])
print(result.returncode, result.output.strip())
try:
    subproc_execute(["false"])
except Exception as exc:
    print(type(exc).__name__, str(exc).splitlines()[0])
