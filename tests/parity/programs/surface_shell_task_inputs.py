"""ShellTask: inputs are formatted into the script, an OutputLocation becomes a FlyteFile."""

from flytekit import kwtypes, workflow
from flytekit.extras.tasks.shell import OutputLocation, ShellTask
from flytekit.types.file import FlyteFile

write = ShellTask(
    name="write_greeting",
    debug=False,
    script="""
    set -e
    echo "hello {inputs.name}" > {outputs.out}
    """,
    inputs=kwtypes(name=str),
    output_locs=[OutputLocation(var="out", var_type=FlyteFile, location="greeting.txt")],
)


@workflow
def wf(name: str) -> FlyteFile:
    return write(name=name)


result = wf(name="shell")
with open(result) as handle:
    print(handle.read().strip())
