"""Two ShellTasks chained: the first's file output is the second's input; stdout is echoed."""

from flytekit import kwtypes, workflow
from flytekit.extras.tasks.shell import OutputLocation, ShellTask
from flytekit.types.file import FlyteFile

make = ShellTask(
    name="make_numbers",
    script="seq 1 {inputs.n} > {outputs.numbers}",
    inputs=kwtypes(n=int),
    output_locs=[OutputLocation(var="numbers", var_type=FlyteFile, location="numbers.txt")],
)
total = ShellTask(
    name="sum_numbers",
    script="awk '{{s += $1}} END {{print s}}' {inputs.numbers} > {outputs.total}",
    inputs=kwtypes(numbers=FlyteFile),
    output_locs=[OutputLocation(var="total", var_type=FlyteFile, location="total.txt")],
)


@workflow
def wf(n: int) -> FlyteFile:
    return total(numbers=make(n=n))


with open(wf(n=10)) as handle:
    print(handle.read().strip())
