"""Enum inputs and outputs, with a default and a bad value."""

from enum import Enum

from flytekit import task, workflow


class Color(Enum):
    RED = "red"
    GREEN = "green"


@task
def flip(c: Color) -> Color:
    return Color.GREEN if c == Color.RED else Color.RED


@workflow
def wf(c: Color = Color.RED) -> Color:
    return flip(c=c)


r = wf()
print(r, type(r).__name__)
print(wf(c=Color.GREEN))
try:
    wf(c="blue")
except Exception as e:
    print(type(e).__name__)
