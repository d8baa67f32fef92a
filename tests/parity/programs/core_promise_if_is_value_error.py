"""`if promise:` cannot work before the value exists: flytekit raises ValueError."""

from flytekit import task, workflow


@task
def flag() -> bool:
    return True


@task
def one() -> int:
    return 1


@workflow
def wf() -> int:
    if flag():
        return one()
    return one()


try:
    wf()
except ValueError as e:
    print("ValueError:", str(e).splitlines()[0])
