"""A task declaring a column subset on its StructuredDataset output, read back as a full frame."""

import pandas as pd
from flytekit import kwtypes, task, workflow
from flytekit.types.structured import StructuredDataset
from typing_extensions import Annotated

Narrow = Annotated[StructuredDataset, kwtypes(a=int, c=str)]


@task
def make() -> Narrow:
    return StructuredDataset(dataframe=pd.DataFrame({"a": [1, 2], "b": [3.0, 4.0], "c": ["x", "y"]}))


@task
def cols(sd: StructuredDataset) -> str:
    df = sd.open(pd.DataFrame).all()
    return ",".join(df.columns) + ":" + str(len(df))


@workflow
def wf() -> str:
    return cols(sd=make())


print(wf())
