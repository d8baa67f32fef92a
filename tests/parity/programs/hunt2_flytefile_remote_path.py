"""FlyteFile with remote_path=False keeps the local path; the file extension format survives."""

import os

from flytekit import task, workflow
from flytekit.types.file import FlyteFile


@task
def make() -> FlyteFile["csv"]:  # noqa: F821
    p = os.path.join(os.getcwd(), "data.csv")
    with open(p, "w") as f:
        f.write("a,b\n1,2\n")
    return FlyteFile(path=p, remote_path=False)


@task
def size(f: FlyteFile["csv"]) -> int:  # noqa: F821
    with open(f) as h:
        return len(h.read())


@workflow
def wf() -> int:
    return size(f=make())


print(wf())
out = make()
print(isinstance(out, FlyteFile), os.path.basename(out.path))
