"""FlyteFile written in one task, read with open() and download() in the next."""

import os

from flytekit import task, workflow
from flytekit.types.file import FlyteFile


@task
def write() -> FlyteFile:
    p = os.path.join(os.getcwd(), "hello.txt")
    with open(p, "w") as f:
        f.write("hi there")
    return FlyteFile(path=p)


@task
def read(f: FlyteFile) -> str:
    local = f.download()
    with open(local) as h:
        a = h.read()
    with f.open("r") as h:
        b = h.read()
    return a + "|" + b + "|" + os.path.basename(f.path)


@workflow
def wf() -> str:
    return read(f=write())


print(wf())
