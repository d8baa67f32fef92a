"""FlyteDirectory as a workflow input from a local folder, listed with os.listdir on its path."""

import os

from flytekit import task, workflow
from flytekit.types.directory import FlyteDirectory


@task
def names(d: FlyteDirectory) -> str:
    return ",".join(sorted(os.listdir(d.path)))


@task
def crawl(d: FlyteDirectory) -> int:
    return sum(len(files) for _, _, files in os.walk(d))


@workflow
def wf(d: FlyteDirectory) -> (str, int):
    return names(d=d), crawl(d=d)


root = os.path.join(os.getcwd(), "in")
os.makedirs(os.path.join(root, "sub"))
for p in ("a.txt", "b.txt", "sub/c.txt"):
    with open(os.path.join(root, p), "w") as f:
        f.write(p)
print(wf(d=root))
