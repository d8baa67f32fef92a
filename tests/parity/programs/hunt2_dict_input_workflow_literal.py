"""A dict literal and a list literal of promises passed to tasks inside a workflow."""

from typing import Dict, List

from flytekit import task, workflow


@task
def one(x: int) -> int:
    return x + 1


@task
def keys(d: Dict[str, int]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(d.items()))


@task
def total(xs: List[int]) -> int:
    return sum(xs)


@workflow
def wf(x: int) -> (str, int):
    a = one(x=x)
    b = one(x=a)
    return keys(d={"a": a, "b": b, "c": 7}), total(xs=[a, b, 100])


print(wf(x=1))
