"""@dynamic returning a nested list built from task outputs."""

from typing import List

from flytekit import dynamic, task, workflow


@task
def times(a: int, b: int) -> int:
    return a * b


@dynamic
def table(n: int) -> List[List[int]]:
    rows = []
    for i in range(1, n + 1):
        rows.append([times(a=i, b=j) for j in range(1, n + 1)])
    return rows


@workflow
def wf(n: int = 3) -> List[List[int]]:
    return table(n=n)


print(wf())
print(wf(n=1))
