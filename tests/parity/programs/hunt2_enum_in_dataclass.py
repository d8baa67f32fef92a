"""An Enum field with a default inside a dataclass, and a list of enums."""

from dataclasses import dataclass, field
from enum import Enum
from typing import List

from flytekit import task, workflow


class Level(Enum):
    LOW = "low"
    HIGH = "high"


@dataclass
class Alert:
    msg: str
    level: Level = Level.LOW
    history: List[Level] = field(default_factory=list)


@task
def escalate(a: Alert) -> Alert:
    a.history.append(a.level)
    a.level = Level.HIGH
    return a


@workflow
def wf(msg: str) -> Alert:
    return escalate(a=escalate(a=Alert(msg=msg)))


r = wf(msg="disk")
print(r.level, r.history, r)
