"""Dataclasses with default values, nested Optional and List[Dict] fields round trip through a workflow."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from flytekit import task, workflow


@dataclass
class Inner:
    tags: List[Dict[str, int]] = field(default_factory=list)
    note: Optional[str] = None


@dataclass
class Config:
    name: str = "default"
    rate: float = 0.5
    inner: Optional[Inner] = None
    items: List[Inner] = field(default_factory=list)


@task
def bump(c: Config) -> Config:
    c.rate *= 2
    c.items.append(Inner(tags=[{"a": 1}], note="added"))
    return c


@workflow
def wf(c: Config = Config()) -> Config:
    return bump(c=c)


print(wf())
print(wf(c=Config(name="x", inner=Inner(tags=[{"k": 3}]))))
