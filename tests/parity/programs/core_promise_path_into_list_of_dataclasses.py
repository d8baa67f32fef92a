"""Indexing into a list of dataclasses, then taking a field."""

from dataclasses import dataclass

from flytekit import task, workflow


@dataclass
class Run:
    name: str
    score: float


@task
def runs() -> list[Run]:
    return [Run("a", 0.5), Run("b", 0.9)]


@task
def label(name: str, score: float) -> str:
    return f"{name}={score}"


@workflow
def wf() -> str:
    r = runs()
    return label(name=r[1].name, score=r[1].score)


print(wf())
