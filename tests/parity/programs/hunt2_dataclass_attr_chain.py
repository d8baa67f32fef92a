"""Nested dataclass attribute access on promises, feeding other tasks."""

from dataclasses import dataclass
from typing import Dict, List

from flytekit import task, workflow


@dataclass
class Metrics:
    scores: List[float]
    meta: Dict[str, str]


@dataclass
class Result:
    name: str
    metrics: Metrics


@task
def train(name: str) -> Result:
    return Result(name=name, metrics=Metrics(scores=[0.1, 0.9], meta={"algo": "xgb"}))


@task
def show(s: str, best: float, algo: str) -> str:
    return f"{s}:{best}:{algo}"


@workflow
def wf(name: str = "m1") -> str:
    r = train(name=name)
    return show(s=r.name, best=r.metrics.scores[1], algo=r.metrics.meta["algo"])


print(wf())
