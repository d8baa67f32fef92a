"""An attribute of a pydantic model output, taken from its promise."""

from flytekit import task, workflow
from pydantic import BaseModel


class Conf(BaseModel):
    name: str
    size: int


@task
def conf() -> Conf:
    return Conf(name="big", size=3)


@task
def repeat(name: str, size: int) -> str:
    return name * size


@workflow
def wf() -> str:
    c = conf()
    return repeat(name=c.name, size=c.size)


print(wf())
