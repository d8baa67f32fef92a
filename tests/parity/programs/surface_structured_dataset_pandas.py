"""StructuredDataset with pandas: a frame out of one task, selected columns into another."""

from typing import Annotated

import pandas as pd
from flytekit import StructuredDataset, kwtypes, task, workflow

Cols = Annotated[StructuredDataset, kwtypes(a=int)]


@task
def make() -> StructuredDataset:
    return StructuredDataset(dataframe=pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}))


@task
def total(sd: Cols) -> int:
    return int(sd.open(pd.DataFrame).all()["a"].sum())


@workflow
def wf() -> int:
    return total(sd=make())


print(wf())
