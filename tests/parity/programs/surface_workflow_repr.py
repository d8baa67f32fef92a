"""Printing a workflow shows flytekit's summary: inputs, outputs and, once compiled, its output bindings."""

import typing
from dataclasses import dataclass

from flytekit import task, workflow


@dataclass
class Point:
    x: int


@task
def square(n: int) -> int:
    return n * n


@task
def origin() -> Point:
    return Point(x=0)


@workflow
def side_effect_only(n: int, label: str = "a") -> None:
    square(n=n)


@workflow
def squared(n: int) -> int:
    return square(n=n)


@workflow
def with_constant(n: int) -> typing.Tuple[int, str]:
    return square(n=n), "const"


@workflow
def constants() -> typing.Tuple[float, bool]:
    return 1.5, True


@workflow
def field_of_output() -> int:
    return origin().x


@workflow
def passthrough(n: int) -> int:
    return n


for wf, inputs in [
    (side_effect_only, {"n": 2}),
    (squared, {"n": 2}),
    (with_constant, {"n": 2}),
    (constants, {}),
    (field_of_output, {}),
    (passthrough, {"n": 4}),
]:
    print(wf)  # before the first call: not compiled yet
    wf(**inputs)
    print(repr(wf))
