"""FlyteDirectory produced by one task and listed by the next."""

import os

from flytekit import task, workflow
from flytekit.types.directory import FlyteDirectory


@task
def make_dir() -> FlyteDirectory:
    d = os.path.join(os.getcwd(), "outdir")
    os.makedirs(d, exist_ok=True)
    for i in range(3):
        with open(os.path.join(d, f"f{i}.txt"), "w") as f:
            f.write(str(i) * (i + 1))
    return FlyteDirectory(path=d)


@task
def total(d: FlyteDirectory) -> int:
    local = d.download()
    return sum(os.path.getsize(os.path.join(local, n)) for n in sorted(os.listdir(local)))


@workflow
def wf() -> int:
    return total(d=make_dir())


print(wf())
