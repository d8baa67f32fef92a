"""Chaining tasks and sub-workflows that share no data with `>>`; the workflow's output is still returned."""

from flytekit import task, workflow

LOG = []


@task
def write() -> None:
    print("write")


@task
def read() -> int:
    print("read")
    return 42


@workflow
def prepare() -> None:
    write()


@workflow
def chained() -> int:
    first = prepare()
    second = read()
    first >> second
    return second


@workflow
def tasks_only() -> int:
    w = write()
    r = read()
    w >> r
    return r


print(chained())
print(tasks_only())
