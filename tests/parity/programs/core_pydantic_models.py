"""pydantic BaseModel inputs and outputs."""

from flytekit import task, workflow
from pydantic import BaseModel


class Hyper(BaseModel):
    lr: float
    layers: list[int] = [32]


class Result(BaseModel):
    score: float
    hyper: Hyper


@task
def train(h: Hyper) -> Result:
    return Result(score=h.lr * len(h.layers), hyper=h)


@task
def report(r: Result) -> str:
    return f"score={r.score} layers={r.hyper.layers}"


@workflow
def wf(h: Hyper) -> str:
    return report(r=train(h=h))


print(wf(h=Hyper(lr=0.5, layers=[8, 8])))
print(train(h=Hyper(lr=1.0)))
