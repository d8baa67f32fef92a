"""A ShellTask whose output is a directory it fills."""

import os

from flytekit import kwtypes
from flytekit.extras.tasks.shell import OutputLocation, ShellTask
from flytekit.types.directory import FlyteDirectory

fill = ShellTask(
    name="fill_dir",
    script="mkdir -p {outputs.out} && for i in $(seq 1 {inputs.n}); do touch {outputs.out}/f$i; done",
    inputs=kwtypes(n=int),
    output_locs=[OutputLocation(var="out", var_type=FlyteDirectory, location="filled")],
)

print(sorted(os.listdir(fill(n=3))))
