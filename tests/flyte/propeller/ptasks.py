"""Tasks run by playing propeller: each runs under flytekit and in a dockyard image on the same inputs.pb."""

import dataclasses
import datetime
import enum
import os

import pandas as pd

from dockyard import current_context, dynamic, map_task, task, workflow
from dockyard.exceptions.user import FlyteRecoverableException
from dockyard.types.directory import FlyteDirectory
from dockyard.types.file import FlyteFile


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclasses.dataclass
class Inner:
    weights: list[float]
    color: Color = Color.RED


@dataclasses.dataclass
class Config:
    name: str
    inner: Inner
    tags: dict[str, int] = dataclasses.field(default_factory=dict)
    limit: int | None = None


@task
def primitives(
    a: int, x: float, s: str, b: bool, t: datetime.datetime, d: datetime.timedelta
) -> tuple[int, float, str, bool, datetime.datetime, datetime.timedelta]:
    return a * 2, x / 2, s.upper(), not b, t + d, d * 2


@task
def collections(
    xs: list[int], m: dict[str, float], nested: list[dict[str, list[str]]]
) -> dict[str, list[int]]:
    # sorted: a LiteralMap is a protobuf map, whose order no side promises (a key-order flake otherwise)
    return {"xs": [x + 1 for x in xs], "keys": sorted(len(k) for k in m), "n": [len(nested)]}


@task
def optional(a: int | None, u: int | str) -> int | None:
    return None if a is None else a + (u if isinstance(u, int) else len(u))


@task
def dataclass_task(c: Config) -> Config:
    return Config(
        c.name + "!", Inner([w * 2 for w in c.inner.weights], Color.GREEN), {**c.tags, "n": 1}, c.limit
    )


@task
def enum_task(c: Color) -> Color:
    return Color.GREEN if c is Color.RED else Color.RED


@task
def file_task(f: FlyteFile) -> FlyteFile:
    with open(f) as src:
        text = src.read()
    out = os.path.join(current_context().working_directory, "upper.txt")
    with open(out, "w") as dst:
        dst.write(text.upper())
    return FlyteFile(out)


@task
def dir_task(d: FlyteDirectory) -> FlyteDirectory:
    names = sorted(os.listdir(d))
    out = os.path.join(current_context().working_directory, "listing")
    os.makedirs(out)
    for name in names:
        with open(os.path.join(out, name + ".len"), "w") as f:
            f.write(str(os.path.getsize(os.path.join(d, name))))
    return FlyteDirectory(out)


@task
def frame_task(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(total=df["a"] + df["b"])


@task
def user_error(a: int) -> int:
    if a >= 0:
        raise ValueError(f"bad value {a}")
    return a


@task
def recoverable_error(a: int) -> int:
    if a >= 0:
        raise FlyteRecoverableException(f"try again {a}")
    return a


@task
def square(x: int) -> int:
    return x * x


@dynamic
def squares(n: int) -> list[int]:
    return [square(x=i) for i in range(n)]


@task
def checkpointed(n: int) -> int:
    cp = current_context().checkpoint
    prev = cp.read()
    start = int(prev.decode()) if prev else 0
    cp.write(str(start + n).encode())
    return start + n


@workflow
def mapped(xs: list[int]) -> list[int]:
    return map_task(square)(x=xs)
