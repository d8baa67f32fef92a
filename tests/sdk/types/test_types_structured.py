"""StructuredDataset with pandas and pyarrow: parquet storage, column subsets, content hashing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import pandas as pd
import pyarrow as pa
import pytest

from dockyard.runtime.blobstore import LocalStore
from dockyard.sdk.types import (
    HashMethod,
    StructuredDataset,
    TypeEngine,
    TypeTransformerFailedError,
    hash_literals,
    kwtypes,
)
from dockyard.sdk.types.transfer import use_raw_output_dir, use_store

Subset = Annotated[StructuredDataset, kwtypes(a=int, c=str)]


@pytest.fixture(autouse=True)
def raw(tmp_path: Path) -> Iterator[Path]:
    with use_raw_output_dir(tmp_path / "raw") as path:
        yield path


def frame() -> pd.DataFrame:
    return pd.DataFrame({"a": [1, 2, 3], "b": [0.5, 1.5, 2.5], "c": ["x", "y", "z"]})


def test_importing_dockyard_loads_neither_pandas_nor_pyarrow() -> None:
    code = "import sys, dockyard, dockyard.sdk.types, dockyard.types.structured; "
    code += "print(sorted(m for m in ('pandas', 'pyarrow', 'numpy', 'boto3', 'docker') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_pandas_frame_round_trips_as_parquet() -> None:
    literal = TypeEngine.to_literal(StructuredDataset(dataframe=frame()), StructuredDataset)
    body = literal["structured"]
    assert body["format"] == "parquet" and body["uri"].endswith(".parquet")
    back = TypeEngine.to_python(literal, StructuredDataset)
    assert isinstance(back, StructuredDataset) and back.dataframe is None
    pd.testing.assert_frame_equal(back.open(pd.DataFrame).all(), frame())
    table = back.open(pa.Table).all()
    assert isinstance(table, pa.Table) and table.column_names == ["a", "b", "c"]


def test_returning_a_frame_for_a_dataset_or_frame_annotation_works() -> None:
    literal = TypeEngine.to_literal(frame(), StructuredDataset)
    pd.testing.assert_frame_equal(TypeEngine.to_python(literal, pd.DataFrame), frame())
    literal = TypeEngine.to_literal(frame(), pd.DataFrame)
    pd.testing.assert_frame_equal(TypeEngine.to_python(literal, pd.DataFrame), frame())
    table = TypeEngine.to_python(literal, pa.Table)
    assert table.num_rows == 3


def test_pyarrow_table_round_trip() -> None:
    table = pa.table({"a": [1, 2], "c": ["p", "q"]})
    literal = TypeEngine.to_literal(table, pa.Table)
    back = TypeEngine.to_python(literal, pa.Table)
    assert back.equals(table)
    sd = TypeEngine.to_python(literal, StructuredDataset)
    assert list(sd.open(pd.DataFrame).all()["c"]) == ["p", "q"]


def test_column_subset_from_the_annotation() -> None:
    literal = TypeEngine.to_literal(frame(), StructuredDataset)
    subset = TypeEngine.to_python(literal, Subset).open(pd.DataFrame).all()
    assert list(subset.columns) == ["a", "c"]
    frame_subset = TypeEngine.to_python(literal, Annotated[pd.DataFrame, kwtypes(b=float)])
    assert list(frame_subset.columns) == ["b"]
    # an output annotated with columns stores only those, and records them
    out = TypeEngine.to_literal(frame(), Subset)
    assert out["structured"]["columns"] == [
        {"name": "a", "type": {"simple": "int"}},
        {"name": "c", "type": {"simple": "str"}},
    ]
    stored = TypeEngine.to_python(out, StructuredDataset).open(pd.DataFrame).all()
    assert list(stored.columns) == ["a", "c"]


def test_missing_column_is_an_error() -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"^df: data frame has no column 'zzz'"):
        TypeEngine.to_literal(frame(), Annotated[StructuredDataset, kwtypes(zzz=int)], path="df")


def test_wrong_value_for_a_frame_is_an_error() -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"^df: expected DataFrame, got list$"):
        TypeEngine.to_literal([1, 2], pd.DataFrame, path="df")


def test_csv_format_from_the_annotation() -> None:
    literal = TypeEngine.to_literal(frame(), Annotated[StructuredDataset, "csv"])
    assert literal["structured"]["format"] == "csv"
    pd.testing.assert_frame_equal(TypeEngine.to_python(literal, pd.DataFrame), frame())


def test_dataset_from_a_uri_is_passed_by_reference(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    frame().to_parquet(path)
    literal = TypeEngine.to_literal(StructuredDataset(uri=str(path)), StructuredDataset)
    assert literal["structured"]["uri"] == str(path)
    assert len(TypeEngine.to_python(literal, pd.DataFrame)) == 3


def test_dataset_travels_through_a_store(tmp_path: Path) -> None:
    store = LocalStore(f"file://{tmp_path / 'store'}")
    with use_store(store, "exec/raw"):
        literal = TypeEngine.to_literal(frame(), StructuredDataset)
        assert literal["structured"]["uri"].startswith(store.url + "/exec/raw/")
        sd = TypeEngine.to_python(literal, Subset)
        pd.testing.assert_frame_equal(sd.open(pd.DataFrame).all(), frame()[["a", "c"]])


def test_frames_are_hashed_by_content() -> None:
    first = hash_literals({"df": TypeEngine.to_literal(frame(), pd.DataFrame)})
    again = hash_literals({"df": TypeEngine.to_literal(frame(), StructuredDataset)})
    assert first == again  # a new parquet file each time, the same key
    changed = frame()
    changed.loc[1, "b"] = 9.0
    assert hash_literals({"df": TypeEngine.to_literal(changed, pd.DataFrame)}) != first
    renamed = frame().rename(columns={"c": "d"})
    assert hash_literals({"df": TypeEngine.to_literal(renamed, pd.DataFrame)}) != first
    t1 = TypeEngine.to_literal(pa.table({"a": [1]}), pa.Table)
    t2 = TypeEngine.to_literal(pa.table({"a": [1]}), pa.Table)
    assert hash_literals({"t": t1}) == hash_literals({"t": t2})
    assert hash_literals({"t": t1}) != hash_literals(
        {"t": TypeEngine.to_literal(pa.table({"a": [2]}), pa.Table)}
    )


def test_hash_survives_a_task_boundary() -> None:
    literal = TypeEngine.to_literal(frame(), pd.DataFrame)
    passed_on = TypeEngine.to_literal(TypeEngine.to_python(literal, StructuredDataset), StructuredDataset)
    assert hash_literals({"x": passed_on}) == hash_literals({"x": literal})


def test_hash_method_overrides_the_content_hash() -> None:
    by_length = Annotated[pd.DataFrame, HashMethod(lambda df: str(len(df)))]
    a = TypeEngine.to_literal(frame(), by_length)
    b = TypeEngine.to_literal(frame().assign(b=0.0), by_length)
    assert a["hash"] == "3"
    assert hash_literals({"df": a}) == hash_literals({"df": b})


def test_dataset_and_large_pickle_travel_through_s3(s3_bucket: str) -> None:
    from typing import Any

    from dockyard.runtime.blobstore.s3 import S3Store

    s3 = S3Store(f"s3://{s3_bucket}/root")
    with use_store(s3, "exec/raw"):
        literal = TypeEngine.to_literal(frame(), pd.DataFrame)
        assert literal["structured"]["uri"].startswith(f"s3://{s3_bucket}/root/exec/raw/")
        table = TypeEngine.to_python(literal, Annotated[pa.Table, kwtypes(c=str)])
        assert table.column_names == ["c"] and table.column("c").to_pylist() == ["x", "y", "z"]
        big = TypeEngine.to_literal(list(range(30_000)), Any)
        assert big["pickle"]["uri"].startswith(f"s3://{s3_bucket}/")
        assert TypeEngine.to_python(big, Any) == list(range(30_000))


def test_dataset_passed_on_in_a_remote_run_is_not_uploaded_again(tmp_path: Path) -> None:
    store = LocalStore(f"file://{tmp_path / 'store'}")
    with use_store(store, "exec/raw"):
        literal = TypeEngine.to_literal(frame(), pd.DataFrame)
        received = TypeEngine.to_python(literal, StructuredDataset)
        assert TypeEngine.to_literal(received, StructuredDataset) == literal
        local = tmp_path / "local.parquet"
        frame().to_parquet(local)
        uploaded = TypeEngine.to_literal(StructuredDataset(uri=str(local)), StructuredDataset)
        assert uploaded["structured"]["uri"].startswith(store.url + "/exec/raw/")
