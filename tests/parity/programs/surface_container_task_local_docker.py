"""ContainerTask runs its image through the local Docker engine: `{{.inputs.x}}` arguments are filled in
and each output is read back from the file of its name in the output folder."""

from flytekit import ContainerTask, kwtypes, task, workflow

multiply = ContainerTask(
    name="multiply-shell",
    input_data_dir="/var/inputs",
    output_data_dir="/var/outputs",
    inputs=kwtypes(a=int, b=int),
    outputs=kwtypes(product=int, note=str),
    image="localhost:5000/dockyard/debian:bookworm",
    command=[
        "sh",
        "-c",
        'echo $(($1 * $2)) > /var/outputs/product; printf "from a container" > /var/outputs/note',
        "sh",
        "{{.inputs.a}}",
        "{{.inputs.b}}",
    ],
)


@task
def describe(product: int, note: str) -> str:
    return f"{note}: {product}"


@workflow
def wf(a: int, b: int) -> str:
    product, note = multiply(a=a, b=b)
    return describe(product=product, note=note)


print(wf(a=6, b=7))
print(multiply(a=2, b=3))
