"""A custom type stored as a folder: the transformer uploads and downloads it through ctx.file_access
(flytesnacks' custom types example)."""

import os
import tempfile
from typing import Type

from flytekit import Blob, BlobMetadata, BlobType, FlyteContext, Literal, LiteralType, Scalar, task, workflow
from flytekit.extend import TypeEngine, TypeTransformer


class MyDataset:
    def __init__(self, base_dir: str = ""):
        self.base_dir = base_dir or tempfile.mkdtemp(prefix="my_dataset")

    @property
    def files(self):
        return sorted(os.listdir(self.base_dir))

    def new_file(self, name: str) -> str:
        return os.path.join(self.base_dir, name)


class MyDatasetTransformer(TypeTransformer[MyDataset]):
    _TYPE_INFO = BlobType(format="binary", dimensionality=BlobType.BlobDimensionality.MULTIPART)

    def __init__(self):
        super().__init__(name="mydataset-transform", t=MyDataset)

    def get_literal_type(self, t: Type[MyDataset]) -> LiteralType:
        return LiteralType(blob=self._TYPE_INFO)

    def to_literal(self, ctx: FlyteContext, python_val, python_type, expected) -> Literal:
        remote_dir = ctx.file_access.get_random_remote_directory()
        ctx.file_access.upload_directory(python_val.base_dir, remote_dir)
        return Literal(scalar=Scalar(blob=Blob(uri=remote_dir, metadata=BlobMetadata(type=self._TYPE_INFO))))

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type) -> MyDataset:
        local_dir = ctx.file_access.get_random_local_directory()
        ctx.file_access.download_directory(lv.scalar.blob.uri, local_dir)
        return MyDataset(base_dir=local_dir)


TypeEngine.register(MyDatasetTransformer())


@task
def generate() -> MyDataset:
    d = MyDataset()
    for i in range(3):
        with open(d.new_file(f"x{i}"), "w") as w:
            w.write(str(i))
    return d


@task
def consume(d: MyDataset) -> list[str]:
    return d.files


@workflow
def wf() -> list[str]:
    return consume(d=generate())


print(wf())
