"""A nested path through a dataclass, a dict, a list and a dataclass again: `out.a.b[0]["k"].v`."""

from dataclasses import dataclass, field

from flytekit import task, workflow


@dataclass
class Leaf:
    v: int


@dataclass
class Branch:
    b: list[dict[str, Leaf]] = field(default_factory=list)


@dataclass
class Tree:
    a: Branch


@task
def grow() -> Tree:
    return Tree(a=Branch(b=[{"k": Leaf(v=7)}, {"k": Leaf(v=8)}]))


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def wf() -> tuple[int, int]:
    t = grow()
    return double(x=t.a.b[0]["k"].v), double(x=t.a.b[1]["k"].v)


print(wf())
