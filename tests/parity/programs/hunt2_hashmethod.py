"""Annotated with HashMethod on a cached task's pandas input."""

import pandas as pd
from flytekit import HashMethod, task, workflow
from typing_extensions import Annotated


def hash_df(df: pd.DataFrame) -> str:
    return str(pd.util.hash_pandas_object(df).sum())


calls = []


@task
def make(n: int) -> Annotated[pd.DataFrame, HashMethod(hash_df)]:
    return pd.DataFrame({"v": list(range(n))})


@task(cache=True, cache_version="1")
def total(df: pd.DataFrame) -> int:
    calls.append(1)
    return int(df["v"].sum())


@workflow
def wf(n: int) -> int:
    return total(df=make(n=n))


print(wf(n=4), wf(n=4), len(calls))
