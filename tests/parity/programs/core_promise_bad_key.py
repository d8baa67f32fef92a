"""A missing dict key in a promise path."""

from flytekit import task, workflow


@task
def conf() -> dict[str, str]:
    return {"a": "1"}


@task
def show(v: str) -> str:
    return v


@workflow
def wf() -> str:
    return show(v=conf()["b"])


try:
    wf()
except Exception as e:
    print(isinstance(e, AssertionError), str(e).splitlines()[0])
