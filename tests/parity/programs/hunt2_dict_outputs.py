"""Dict outputs: str keys with list values, and a dict of dataclasses."""

from dataclasses import dataclass
from typing import Dict, List

from flytekit import task, workflow


@dataclass
class Point:
    x: int
    y: int


@task
def group(xs: List[int]) -> Dict[str, List[int]]:
    out: Dict[str, List[int]] = {"even": [], "odd": []}
    for x in xs:
        out["even" if x % 2 == 0 else "odd"].append(x)
    return out


@task
def points(d: Dict[str, List[int]]) -> Dict[str, Point]:
    return {k: Point(x=len(v), y=sum(v)) for k, v in d.items()}


@workflow
def wf(xs: List[int]) -> Dict[str, Point]:
    return points(d=group(xs=xs))


print(wf(xs=[1, 2, 3, 4, 5]))
print(wf(xs=[]))
