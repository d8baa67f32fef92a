"""Primitives, defaults, tuple and NamedTuple outputs, collections, no-output tasks and `>>` ordering."""

import datetime
import typing

from dockyard import task, workflow


@task
def add(a: int, b: int = 2) -> int:
    return a + b


@task
def scale(x: float, factor: float = 1.5) -> float:
    return x * factor


@task
def greet(name: str, loud: bool = False) -> str:
    return name.upper() if loud else name


@task
def split(a: int) -> tuple[int, str]:
    return a, str(a)


class Stats(typing.NamedTuple):
    total: int
    mean: float


@task
def stats(xs: list[int]) -> Stats:
    return Stats(sum(xs), sum(xs) / max(len(xs), 1))


@task
def when(t: datetime.datetime, d: datetime.timedelta) -> datetime.datetime:
    return t + d


@task
def log(msg: str) -> None:
    print(msg)


@task
def nested(m: dict[str, list[int]]) -> dict[str, int]:
    return {k: sum(v) for k, v in m.items()}


@workflow
def primitives(a: int, x: float = 0.5, name: str = "flyte") -> str:
    s = add(a=a)
    add(a=s, b=a)
    scale(x=x)
    return greet(name=name, loud=True)


@workflow
def tuples(a: int = 1) -> tuple[int, str]:
    n, s = split(a=a)
    return add(a=n), greet(name=s)


@workflow
def named_outputs(xs: list[int]) -> float:
    r = stats(xs=xs)
    return scale(x=r.mean)


@workflow
def collections(a: int, b: int) -> dict[str, int]:
    s = add(a=a, b=b)
    stats(xs=[a, b, s, 4])
    return nested(m={"x": [a, s], "y": [b]})


@workflow
def times(t: datetime.datetime, d: datetime.timedelta = datetime.timedelta(hours=1)) -> datetime.datetime:
    return when(t=t, d=d)


@workflow
def ordering(a: int = 3) -> int:
    first = log(msg="start")
    s = add(a=a)
    second = log(msg="end")
    first >> s
    s >> second
    return s


@workflow
def constants() -> int:
    stats(xs=[1, 2, 3])
    nested(m={"a": [1], "b": []})
    return add(a=10, b=20)
