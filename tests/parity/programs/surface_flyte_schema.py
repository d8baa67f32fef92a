"""FlyteSchema (deprecated, in older examples): typed columns out, `open().all()` or a DataFrame in."""

import pandas as pd
from flytekit import kwtypes, task, workflow
from flytekit.types.schema import FlyteSchema


@task
def make() -> FlyteSchema[kwtypes(a=int, b=str)]:
    return pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})


@task
def use(s: FlyteSchema[kwtypes(a=int, b=str)]) -> int:
    df = s.open().all()
    return int(df["a"].sum())


@task
def as_df(df: pd.DataFrame) -> int:
    return len(df)


@workflow
def wf() -> tuple[int, int]:
    s = make()
    return use(s=s), as_df(df=s)


print(wf())
