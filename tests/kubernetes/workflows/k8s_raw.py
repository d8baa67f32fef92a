"""A ContainerTask (a plain Debian image, no dockyard in it) between python tasks, for the pod tests:
a file input staged under input_data_dir, a template input, an int and a file output."""

from pathlib import Path

from dockyard import ContainerTask, kwtypes, task, workflow
from dockyard.types.file import FlyteFile

DEBIAN = "localhost:5000/dockyard/debian:bookworm"

count_lines = ContainerTask(
    name="count_lines",
    image=DEBIAN,
    input_data_dir="/var/inputs",
    output_data_dir="/var/outputs",
    inputs=kwtypes(doc=FlyteFile, scale=int),
    outputs=kwtypes(lines=int, copy=FlyteFile),
    command=[
        "sh",
        "-c",
        'echo "counting as $(id -u)"; echo $(($(wc -l < "$1") * $0)) > /var/outputs/lines; '
        'cp "$1" /var/outputs/copy',
        "{{.inputs.scale}}",
        "/var/inputs/doc",
    ],
)

broken = ContainerTask(
    name="broken",
    image=DEBIAN,
    output_data_dir="/var/outputs",
    inputs=kwtypes(x=int),
    outputs=kwtypes(y=int),
    command=["sh", "-c", "echo about to fail with $0; echo oops >&2; exit 3", "{{.inputs.x}}"],
)


@task
def make_doc(n: int) -> FlyteFile:
    path = Path("doc.txt")
    path.write_text("".join(f"line {i}\n" for i in range(n)))
    return FlyteFile(str(path))


@task
def total(lines: int, copy: FlyteFile) -> int:
    with open(copy) as handle:
        return lines + len(handle.read().splitlines())


@workflow
def pipeline(n: int, scale: int) -> int:
    lines, copy = count_lines(doc=make_doc(n=n), scale=scale)
    return total(lines=lines, copy=copy)


@workflow
def failing(x: int) -> int:
    return broken(x=x)
