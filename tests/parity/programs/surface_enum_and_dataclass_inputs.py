"""Enums and dataclasses as workflow inputs and outputs."""

from dataclasses import dataclass
from enum import Enum

from flytekit import task, workflow


class Color(Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Paint:
    color: Color
    litres: float


@task
def mix(color: Color, litres: float) -> Paint:
    return Paint(color=color, litres=litres * 2)


@task
def label(p: Paint) -> str:
    return f"{p.litres} l of {p.color.value}"


@workflow
def wf(color: Color = Color.BLUE, litres: float = 1.5) -> str:
    return label(p=mix(color=color, litres=litres))


print(wf())
print(wf(color=Color.RED, litres=0.5))
