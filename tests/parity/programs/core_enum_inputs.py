"""String enums as inputs and outputs; a member's value is accepted for an enum input."""

import enum

from flytekit import task, workflow


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@task
def flip(c: Color) -> Color:
    return Color.BLUE if c == Color.RED else Color.RED


@workflow
def wf(c: Color) -> Color:
    return flip(c=flip(c=c))


print(wf(c=Color.RED))
print(flip(c="blue"))
