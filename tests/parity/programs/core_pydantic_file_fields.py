"""A pydantic model with StructuredDataset, FlyteFile and FlyteDirectory fields crosses task boundaries."""

import os
import tempfile

import pandas as pd
from flytekit import task, workflow
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile
from flytekit.types.structured import StructuredDataset
from pydantic import BaseModel


class Bundle(BaseModel):
    name: str
    frame: StructuredDataset
    report: FlyteFile
    folder: FlyteDirectory


@task
def make(name: str) -> Bundle:
    folder = tempfile.mkdtemp()
    with open(os.path.join(folder, "a.txt"), "w") as handle:
        handle.write("in folder")
    report = os.path.join(tempfile.mkdtemp(), "report.txt")
    with open(report, "w") as handle:
        handle.write(f"report of {name}")
    frame = StructuredDataset(dataframe=pd.DataFrame({"x": [1, 2, 3]}))
    return Bundle(name=name, frame=frame, report=FlyteFile(report), folder=FlyteDirectory(folder))


@task
def use(bundle: Bundle) -> str:
    total = int(bundle.frame.open(pd.DataFrame).all()["x"].sum())
    with open(bundle.report) as handle:
        text = handle.read()
    names = sorted(os.listdir(bundle.folder.download()))
    return f"{bundle.name}: sum={total} report={text!r} files={names}"


@task
def frame_of(bundle: Bundle) -> pd.DataFrame:
    return bundle.frame.open(pd.DataFrame).all()


@task
def count_rows(frame: StructuredDataset) -> int:
    return len(frame.open(pd.DataFrame).all())


@task
def read_report(report: FlyteFile) -> str:
    with open(report) as handle:
        return handle.read()


@workflow
def fields(name: str = "d") -> tuple[int, str]:
    bundle = make(name=name)
    return count_rows(frame=bundle.frame), read_report(report=bundle.report)


@workflow
def pipeline(name: str = "b") -> str:
    return use(bundle=make(name=name))


@workflow
def attribute(name: str = "c") -> pd.DataFrame:
    return frame_of(bundle=make(name=name))


print(pipeline())
print(attribute().to_dict("list"))
print(fields())
