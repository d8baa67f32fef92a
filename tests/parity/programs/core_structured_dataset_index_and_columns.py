"""A pandas frame's index survives a StructuredDataset round trip; annotations pick a subset of columns."""

import pandas as pd
from flytekit import kwtypes, task, workflow
from flytekit.types.structured import StructuredDataset
from typing_extensions import Annotated

everything = kwtypes(name=str, age=int, height=int)
ages = kwtypes(age=int)


@task
def people(a: int) -> pd.DataFrame:
    return pd.DataFrame({"name": ["Tom", "Joseph"], "age": [a, 22], "height": [160, 178]})


@task
def add_row(df: Annotated[StructuredDataset, everything]) -> Annotated[StructuredDataset, ages]:
    frame = df.open(pd.DataFrame).all()
    frame = pd.concat([frame, pd.DataFrame([[30]], columns=["age"])])
    return StructuredDataset(dataframe=frame)


@task
def describe(df: pd.DataFrame) -> str:
    return f"index={list(df.index)} columns={list(df.columns)}"


@workflow
def pipeline(a: int = 19) -> Annotated[StructuredDataset, ages]:
    return add_row(df=people(a=a))


@workflow
def described(a: int = 19) -> str:
    return describe(df=add_row(df=people(a=a)))


print(pipeline().open(pd.DataFrame).all())
print(described())
