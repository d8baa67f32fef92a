"""A pandas DataFrame given as a workflow input and returned filtered."""

import pandas as pd
from flytekit import task, workflow


@task
def adults(df: pd.DataFrame, min_age: int) -> pd.DataFrame:
    return df[df["age"] >= min_age].reset_index(drop=True)


@workflow
def wf(df: pd.DataFrame, min_age: int = 18) -> pd.DataFrame:
    return adults(df=df, min_age=min_age)


out = wf(df=pd.DataFrame({"name": ["a", "b", "c"], "age": [10, 20, 30]}))
print(type(out).__name__, out.to_dict(orient="list"))
