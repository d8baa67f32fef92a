"""A dataclass output comes back to the caller as the dataclass itself."""

from dataclasses import dataclass

from flytekit import task, workflow


@dataclass
class Point:
    x: float
    y: float


@task
def move(p: Point, dx: float) -> Point:
    return Point(p.x + dx, p.y)


@workflow
def wf(p: Point) -> Point:
    return move(p=move(p=p, dx=1.0), dx=2.5)


out = wf(p=Point(0.0, 1.0))
print(type(out).__name__, out)
