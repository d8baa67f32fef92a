"""A task writes a FlyteFile, the next reads it: the user guide's file example."""

import os

from flytekit import task, workflow
from flytekit.types.file import FlyteFile


@task
def write(text: str) -> FlyteFile:
    path = os.path.join(os.getcwd(), "note.txt")
    with open(path, "w") as handle:
        handle.write(text)
    return FlyteFile(path)


@task
def read(f: FlyteFile) -> str:
    with open(f) as handle:
        return handle.read().upper()


@workflow
def wf(text: str) -> str:
    return read(f=write(text=text))


print(wf(text="hello file"))
