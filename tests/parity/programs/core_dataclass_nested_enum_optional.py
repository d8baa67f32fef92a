"""Nested dataclasses with enums, Optional fields and lists of dataclasses."""

import enum
import typing
from dataclasses import dataclass, field

from flytekit import task, workflow


class Stage(enum.Enum):
    TRAIN = "train"
    EVAL = "eval"


@dataclass
class Step:
    stage: Stage
    lr: typing.Optional[float] = None


@dataclass
class Plan:
    name: str
    steps: list[Step] = field(default_factory=list)
    parent: typing.Optional["Plan"] = None


@task
def make_plan(name: str) -> Plan:
    return Plan(name=name, steps=[Step(Stage.TRAIN, 0.1), Step(Stage.EVAL)])


@task
def summary(p: Plan) -> str:
    return ", ".join(f"{s.stage.value}:{s.lr}" for s in p.steps) + f" parent={p.parent}"


@workflow
def wf(name: str) -> str:
    return summary(p=make_plan(name=name))


print(wf(name="p1"))
print(make_plan(name="p2"))
