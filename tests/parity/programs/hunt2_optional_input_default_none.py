"""Optional inputs defaulting to None in tasks and workflows."""

from typing import List, Optional

from flytekit import task, workflow


@task
def greet(name: Optional[str] = None, times: Optional[int] = None) -> str:
    return ("hello " + (name or "anon")) * (times or 1)


@task
def count(xs: Optional[List[int]] = None) -> int:
    return len(xs or [])


@workflow
def wf(name: Optional[str] = None, xs: Optional[List[int]] = None) -> (str, int):
    return greet(name=name), count(xs=xs)


print(wf())
print(wf(name="bo", xs=[1, 2]))
print(greet())
