"""StructuredDataset with a column subset declared through Annotated, round trip to pandas."""

import pandas as pd
from flytekit import kwtypes, task, workflow
from flytekit.types.structured import StructuredDataset
from typing_extensions import Annotated

Cols = Annotated[StructuredDataset, kwtypes(age=int)]


@task
def make() -> StructuredDataset:
    return StructuredDataset(dataframe=pd.DataFrame({"name": ["a", "b"], "age": [3, 4]}))


@task
def ages(sd: Cols) -> int:
    df = sd.open(pd.DataFrame).all()
    print(list(df.columns))
    return int(df["age"].sum())


@task
def direct() -> pd.DataFrame:
    return pd.DataFrame({"x": [1.5, 2.5]})


@task
def mean(df: pd.DataFrame) -> float:
    return float(df["x"].mean())


@workflow
def wf() -> (int, float):
    return ages(sd=make()), mean(df=direct())


print(wf())
