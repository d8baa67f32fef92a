"""A StructuredDataset output feeds a pandas DataFrame input."""

import pandas as pd
from flytekit import StructuredDataset, task, workflow


@task
def make() -> StructuredDataset:
    return StructuredDataset(dataframe=pd.DataFrame({"a": [1, 2]}))


@task
def as_df(df: pd.DataFrame) -> int:
    return len(df)


@workflow
def wf() -> int:
    return as_df(df=make())


print(wf())
