"""A task fills a FlyteDirectory; the next lists it."""

import os

from flytekit import task, workflow
from flytekit.types.directory import FlyteDirectory


@task
def make(n: int) -> FlyteDirectory:
    folder = os.path.join(os.getcwd(), "out")
    os.makedirs(folder, exist_ok=True)
    for i in range(n):
        with open(os.path.join(folder, f"part-{i}.txt"), "w") as handle:
            handle.write(str(i))
    return FlyteDirectory(folder)


@task
def count(d: FlyteDirectory) -> int:
    return len(os.listdir(d))


@workflow
def wf(n: int) -> int:
    return count(d=make(n=n))


print(wf(n=3))
