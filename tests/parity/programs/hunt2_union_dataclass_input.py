"""A Union of two dataclasses as an input: the value picks its member."""

from dataclasses import dataclass
from typing import Union

from flytekit import task, workflow


@dataclass
class Circle:
    r: float


@dataclass
class Square:
    side: float


@task
def area(shape: Union[Circle, Square]) -> float:
    if isinstance(shape, Circle):
        return round(3.14 * shape.r * shape.r, 2)
    return shape.side * shape.side


@workflow
def wf(shape: Union[Circle, Square]) -> float:
    return area(shape=shape)


print(wf(shape=Circle(r=1.0)), wf(shape=Square(side=2.0)))
