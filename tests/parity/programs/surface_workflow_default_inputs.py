"""Workflow inputs with defaults; callers override some of them."""

from flytekit import task, workflow


@task
def fmt(name: str, times: int, sep: str) -> str:
    return sep.join([name] * times)


@workflow
def wf(name: str = "ho", times: int = 3, sep: str = "-") -> str:
    return fmt(name=name, times=times, sep=sep)


print(wf())
print(wf(times=2))
print(wf(name="hey", sep=" "))
