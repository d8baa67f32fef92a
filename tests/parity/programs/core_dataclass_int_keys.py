"""A dataclass with dict[int, str] and dict[float, bool] fields: keys keep their types across tasks."""

from dataclasses import dataclass, field

from flytekit import task, workflow


@dataclass
class Lookup:
    names: dict[int, str]
    flags: dict[float, bool] = field(default_factory=dict)


@task
def build() -> Lookup:
    return Lookup(names={1: "one", 2: "two"}, flags={0.5: True})


@task
def describe(lk: Lookup) -> str:
    keys = sorted(lk.names)
    return f"{keys} {[type(k).__name__ for k in keys]} {lk.names[2]} {lk.flags}"


@workflow
def wf() -> str:
    return describe(lk=build())


print(wf())
