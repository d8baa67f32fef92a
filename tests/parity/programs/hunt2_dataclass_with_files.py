"""A dataclass carrying a FlyteFile and a List[FlyteFile] between tasks."""

import os
from dataclasses import dataclass, field
from typing import List

from flytekit import task, workflow
from flytekit.types.file import FlyteFile


@dataclass
class Bundle:
    main: FlyteFile
    extras: List[FlyteFile] = field(default_factory=list)
    label: str = "b"


@task
def make(n: int) -> Bundle:
    paths = []
    for i in range(n + 1):
        p = os.path.join(os.getcwd(), f"part{i}.txt")
        with open(p, "w") as f:
            f.write("x" * (i + 1))
        paths.append(p)
    return Bundle(main=FlyteFile(paths[0]), extras=[FlyteFile(p) for p in paths[1:]])


@task
def measure(b: Bundle) -> List[int]:
    sizes = []
    for f in [b.main, *b.extras]:
        with open(f) as h:
            sizes.append(len(h.read()))
    return sizes


@workflow
def wf(n: int = 2) -> List[int]:
    return measure(b=make(n=n))


print(wf())
