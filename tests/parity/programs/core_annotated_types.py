"""typing.Annotated inputs and outputs behave as their inner type."""

from typing import Annotated

from flytekit import task, workflow


@task
def scale(x: Annotated[int, "a count"], f: Annotated[float, {"unit": "x"}]) -> Annotated[float, "scaled"]:
    return x * f


@workflow
def wf(x: int) -> float:
    return scale(x=x, f=1.5)


print(wf(x=4))
print(list(scale.python_interface.inputs))
