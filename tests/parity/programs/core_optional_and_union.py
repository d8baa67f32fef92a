"""Optional inputs with defaults, and Union inputs."""

import typing

from flytekit import task, workflow


@task
def greet(name: typing.Optional[str] = None) -> str:
    return f"hello {name or 'world'}"


@task
def describe(v: typing.Union[int, str]) -> str:
    return f"{type(v).__name__}:{v}"


@workflow
def wf(name: typing.Optional[str] = None) -> tuple[str, str, str]:
    return greet(name=name), describe(v=3), describe(v="x")


print(wf())
print(wf(name="ada"))
