"""`a >> b` between tasks without data flowing: both run, in order."""

from flytekit import task, workflow


@task
def create_table():
    print("create table")


@task
def load_rows():
    print("load rows")


@task
def count() -> int:
    print("count")
    return 3


@workflow
def wf() -> int:
    t = create_table()
    rows = load_rows()
    n = count()
    t >> rows
    rows >> n
    return n


print(wf())
