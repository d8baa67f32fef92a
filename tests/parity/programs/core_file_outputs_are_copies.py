"""Where a file or folder a task returned is seen downstream: flytekit passes the producer's own local path
locally, dockyard a copy in the run's data folder (as a remote run hands it a download)."""

import os
import tempfile

from flytekit import task, workflow
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile

FOLDER = tempfile.mkdtemp()


@task
def write_file() -> FlyteFile:
    path = os.path.join(FOLDER, "data.txt")
    with open(path, "w") as handle:
        handle.write("x")
    return FlyteFile(path)


@task
def write_folder() -> FlyteDirectory:
    path = os.path.join(FOLDER, "parts")
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "a.txt"), "w") as handle:
        handle.write("a")
    return FlyteDirectory(path)


@task
def where(f: FlyteFile, d: FlyteDirectory) -> str:
    same = f.path.startswith(FOLDER), d.path.startswith(FOLDER)
    names = os.path.basename(f.path), sorted(os.listdir(d))
    return f"producer's paths: {same}, names: {names}"


@workflow
def pipeline() -> str:
    return where(f=write_file(), d=write_folder())


print(pipeline())
