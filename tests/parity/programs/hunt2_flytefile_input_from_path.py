"""A workflow input FlyteFile given as a plain local path string and as a FlyteFile."""

import os

from flytekit import task, workflow
from flytekit.types.file import FlyteFile


@task
def lines(f: FlyteFile) -> int:
    with open(f) as h:
        return len(h.readlines())


@workflow
def wf(f: FlyteFile) -> int:
    return lines(f=f)


p = os.path.join(os.getcwd(), "in.txt")
with open(p, "w") as h:
    h.write("a\nb\nc\n")
print(wf(f=p))
print(wf(f=FlyteFile(p)))
print(lines(f=p))
