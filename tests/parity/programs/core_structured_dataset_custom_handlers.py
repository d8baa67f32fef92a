"""A user's StructuredDatasetEncoder and Decoder let numpy arrays travel as StructuredDatasets."""

import typing
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from flytekit import FlyteContext, StructuredDatasetType, task, workflow
from flytekit.models import literals
from flytekit.models.literals import StructuredDatasetMetadata
from flytekit.types.structured.structured_dataset import (
    PARQUET,
    StructuredDataset,
    StructuredDatasetDecoder,
    StructuredDatasetEncoder,
    StructuredDatasetTransformerEngine,
)
from typing_extensions import Annotated


class ArrayEncoder(StructuredDatasetEncoder):
    def encode(
        self,
        ctx: FlyteContext,
        structured_dataset: StructuredDataset,
        structured_dataset_type: StructuredDatasetType,
    ) -> literals.StructuredDataset:
        array = typing.cast(np.ndarray, structured_dataset.dataframe)
        table = pa.Table.from_arrays(list(array), [f"c{i}" for i in range(len(array))])
        local_dir = ctx.file_access.get_random_local_directory()
        pq.write_table(table, str(Path(local_dir) / "00000"))
        remote_dir = ctx.file_access.get_random_remote_directory()
        ctx.file_access.upload_directory(local_dir, remote_dir)
        return literals.StructuredDataset(
            uri=remote_dir,
            metadata=StructuredDatasetMetadata(structured_dataset_type=StructuredDatasetType(format=PARQUET)),
        )


class ArrayDecoder(StructuredDatasetDecoder):
    def decode(
        self,
        ctx: FlyteContext,
        flyte_value: literals.StructuredDataset,
        current_task_metadata: StructuredDatasetMetadata,
    ) -> np.ndarray:
        local_dir = ctx.file_access.get_random_local_directory()
        ctx.file_access.get_data(flyte_value.uri, local_dir, is_multipart=True)
        return pq.read_table(local_dir).to_pandas().to_numpy()


@task
def names() -> pd.DataFrame:
    return pd.DataFrame({"name": ["Tom", "Ann"], "city": ["Oslo", "Rome"]})


# registered after a frame task is declared, as in flytekit's guide (flytekit loads its own numpy support
# when the first frame type is resolved, and refuses it once numpy arrays have a dataset handler)
StructuredDatasetTransformerEngine.register(ArrayEncoder(np.ndarray, None, PARQUET))
StructuredDatasetTransformerEngine.register(ArrayDecoder(np.ndarray, None, PARQUET))


@task
def as_array(sd: StructuredDataset) -> Annotated[StructuredDataset, None, PARQUET]:
    array = sd.open(np.ndarray).all()
    print(type(array).__name__, array.shape)
    return StructuredDataset(dataframe=array)


@task
def columns(sd: StructuredDataset) -> typing.List[str]:
    return list(sd.open(pd.DataFrame).all().columns)


@workflow
def arrays() -> Annotated[StructuredDataset, None, PARQUET]:
    return as_array(sd=names())


@workflow
def stored_columns() -> typing.List[str]:
    return columns(sd=as_array(sd=names()))


print(arrays().open(np.ndarray).all().tolist())
print(stored_columns())
