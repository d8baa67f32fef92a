"""A FlyteFile input that names a file which does not exist fails when the task reads it."""

from flytekit import task, workflow
from flytekit.types.file import FlyteFile


@task
def size(f: FlyteFile) -> int:
    with open(f) as handle:
        return len(handle.read())


@workflow
def measure(f: FlyteFile) -> int:
    return size(f=f)


try:
    measure(f=FlyteFile("/nonexistent/data.csv"))
except Exception as e:
    print(type(e).__name__, isinstance(e, ValueError), isinstance(e, FileNotFoundError))
