"""Optional, Union, enum, Literal, dataclasses, generic dicts, files, directories and data frames."""

import dataclasses
import enum
import typing

import pandas as pd

from dockyard import StructuredDataset, kwtypes, task, workflow
from dockyard.types.directory import FlyteDirectory
from dockyard.types.file import FlyteFile


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


@dataclasses.dataclass
class Point:
    x: int
    y: float
    label: str = "p"


@dataclasses.dataclass
class Config:
    name: str
    points: list[Point]
    color: Color = Color.RED
    weight: float | None = None
    tags: dict[str, str] = dataclasses.field(default_factory=dict)


@task
def maybe(a: int | None = None) -> str | None:
    return None if a is None else str(a)


@task
def either(v: int | str) -> float | str:
    return str(v)


@task
def paint(c: Color) -> Color:
    return c


@task
def mode(m: typing.Literal["fast", "slow"] = "fast") -> str:
    return m


@task
def move(p: Point, dx: int = 1) -> Point:
    return Point(p.x + dx, p.y, p.label)


@task
def configure(c: Config) -> list[Point]:
    return c.points


@task
def meta(d: dict) -> dict:
    return d


@task
def write(text: str) -> FlyteFile:
    return FlyteFile("x")


@task
def read(f: FlyteFile) -> str:
    return ""


@task
def csv_of(f: FlyteFile[typing.TypeVar("csv")]) -> FlyteFile[typing.TypeVar("csv")]:
    return f


@task
def folder(d: FlyteDirectory) -> FlyteDirectory:
    return d


@task
def frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"a": range(n)})


@task
def columns(sd: typing.Annotated[StructuredDataset, kwtypes(a=int, b=str)]) -> StructuredDataset:
    return sd


@task
def csv_frame(df: typing.Annotated[pd.DataFrame, "csv"]) -> int:
    return len(df)


@workflow
def optionals(a: int | None = None) -> str | None:
    maybe()
    return maybe(a=a)


@workflow
def unions(v: int | str = 3) -> float | str:
    return either(v=v)


@workflow
def enums(c: Color = Color.GREEN) -> str:
    paint(c=c)
    paint(c=Color.BLUE)
    return mode(m="slow")


@workflow
def dataclasses_wf(p: Point = Point(1, 2.0)) -> list[Point]:
    move(p=p)
    move(p=Point(3, 4.0, "q"), dx=2)
    configure(c=Config("c", [Point(0, 0.0)], Color.BLUE, 1.5, {"k": "v"}))
    return configure(c=Config(name="d", points=[Point(5, 6.0)]))


@workflow
def generic_dicts(d: dict = {"a": 1, "b": [1, 2]}) -> dict:  # noqa: B006
    return meta(d=d)


@workflow
def files(text: str = "hi") -> str:
    f = write(text=text)
    return read(f=f)


@workflow
def file_formats(f: FlyteFile[typing.TypeVar("csv")], d: FlyteDirectory) -> FlyteDirectory:
    csv_of(f=f)
    return folder(d=d)


@workflow
def frames(n: int = 3) -> int:
    df = frame(n=n)
    return csv_frame(df=df)


@workflow
def structured(sd: typing.Annotated[StructuredDataset, kwtypes(a=int, b=str)]) -> StructuredDataset:
    return columns(sd=sd)
