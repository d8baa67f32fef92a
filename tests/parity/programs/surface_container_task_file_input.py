"""ContainerTask with a FlyteFile input: the file is mounted under the input folder the command names."""

import os

from flytekit import ContainerTask, kwtypes, task, workflow
from flytekit.types.file import FlyteFile

count_lines = ContainerTask(
    name="count-lines",
    input_data_dir="/var/inputs",
    output_data_dir="/var/outputs",
    inputs=kwtypes(infile=FlyteFile),
    outputs=kwtypes(lines=int),
    image="localhost:5000/dockyard/debian:bookworm",
    command=["sh", "-c", "wc -l < $1 > /var/outputs/lines", "sh", "/var/inputs/infile"],
)


@task
def make() -> FlyteFile:
    with open("lines.txt", "w") as handle:
        handle.write("a\nb\nc\n")
    return FlyteFile(os.path.abspath("lines.txt"))


@workflow
def wf() -> int:
    return count_lines(infile=make())


print(wf())
