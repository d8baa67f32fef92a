"""A ContainerTask (a plain Debian image with no dockyard) beside a python task, for remote runs."""

from __future__ import annotations

from dockyard import ContainerTask, ImageSpec, kwtypes, task, workflow

runtime_image = ImageSpec(name="dockyard-test-runtime", registry="localhost:5000")
DEBIAN = "localhost:5000/dockyard/debian:bookworm"

square = ContainerTask(
    name="square",
    image=DEBIAN,
    input_data_dir="/var/inputs",
    output_data_dir="/var/outputs",
    inputs=kwtypes(x=int),
    outputs=kwtypes(y=int),
    command=[
        "sh",
        "-c",
        'echo "squaring $0 as $(id -u)"; echo $(($0 * $0)) > /var/outputs/y',
        "{{.inputs.x}}",
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


@task(container_image=runtime_image)
def add_one(y: int) -> int:
    return y + 1


@workflow
def mixed(x: int) -> int:
    return add_one(y=square(x=x))
