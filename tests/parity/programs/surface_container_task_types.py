"""ContainerTask outputs of several types are parsed from their files: bool, float and str."""

from flytekit import ContainerTask, kwtypes

check = ContainerTask(
    name="check-threshold",
    input_data_dir="/var/inputs",
    output_data_dir="/var/outputs",
    inputs=kwtypes(value=float),
    outputs=kwtypes(passed=bool, echoed=float, label=str),
    image="localhost:5000/dockyard/debian:bookworm",
    command=[
        "sh",
        "-c",
        'echo true > /var/outputs/passed; echo "$1" > /var/outputs/echoed; printf high > /var/outputs/label',
        "sh",
        "{{.inputs.value}}",
    ],
)

print(check(value=2.5))
