"""FlyteFile and FlyteDirectory: local runs copy into the raw-output folder, remote runs use a store."""

from __future__ import annotations

import os
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockyard.runtime.blobstore import LocalStore
from dockyard.runtime.blobstore.s3 import S3Store
from dockyard.sdk.types import (
    FlyteDirectory,
    FlyteFile,
    TypeEngine,
    TypeTransformerFailedError,
    hash_literals,
)
from dockyard.sdk.types.transfer import current_store, use_raw_output_dir, use_store
from dockyard.types.file import CSVFile


@pytest.fixture
def raw(tmp_path: Path) -> Iterator[Path]:
    with use_raw_output_dir(tmp_path / "raw") as path:
        yield path


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(f"file://{tmp_path / 'store'}")


def make_tree(root: Path) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("alpha")
    (root / "sub" / "b.txt").write_text("beta")
    return root


def test_format_hint_is_recorded_in_the_literal(tmp_path: Path, raw: Path) -> None:
    src = tmp_path / "data.csv"
    src.write_text("a,b\n1,2\n")
    csv_type = FlyteFile[typing.TypeVar("csv")]
    assert csv_type is CSVFile and csv_type is FlyteFile["csv"]
    literal = TypeEngine.to_literal(FlyteFile(src), csv_type)
    assert literal["blob"]["format"] == "csv"
    assert literal["blob"]["dimensionality"] == "single"
    assert TypeEngine.literal_type(csv_type) == {"blob": {"format": "csv", "dimensionality": "single"}}
    back = TypeEngine.to_python(literal, csv_type)
    assert isinstance(back, csv_type) and Path(back).read_text() == "a,b\n1,2\n"
    # a typed value keeps its own hint when the annotation has none
    assert TypeEngine.to_literal(csv_type(src), FlyteFile)["blob"]["format"] == "csv"


def test_local_file_is_copied_so_later_changes_do_not_leak(tmp_path: Path, raw: Path) -> None:
    src = tmp_path / "model.bin"
    src.write_bytes(b"v1")
    literal = TypeEngine.to_literal(str(src), FlyteFile)
    src.write_bytes(b"v2 changed by the user")
    back = TypeEngine.to_python(literal, FlyteFile)
    assert Path(back.path).is_relative_to(raw)
    assert back.remote_source is None
    with open(back, "rb") as f:
        assert f.read() == b"v1"
    # passing the received file on does not copy it again
    assert TypeEngine.to_literal(back, FlyteFile) == literal


def test_missing_local_file_is_an_error_naming_it(tmp_path: Path, raw: Path) -> None:
    with pytest.raises(
        TypeTransformerFailedError, match=rf"^dataset: file {tmp_path}/nope.csv does not exist$"
    ):
        TypeEngine.to_literal(FlyteFile(tmp_path / "nope.csv"), FlyteFile, path="dataset")
    with pytest.raises(TypeTransformerFailedError, match=r"^d: expected FlyteFile, got int$"):
        TypeEngine.to_literal(3, FlyteFile, path="d")


def test_directory_literal_cannot_become_a_file(tmp_path: Path, raw: Path) -> None:
    literal = TypeEngine.to_literal(FlyteDirectory(make_tree(tmp_path / "d")), FlyteDirectory)
    with pytest.raises(TypeTransformerFailedError, match="expected FlyteFile, got directory"):
        TypeEngine.to_python(literal, FlyteFile)


def test_local_directory_round_trip(tmp_path: Path, raw: Path) -> None:
    src = make_tree(tmp_path / "model")
    literal = TypeEngine.to_literal(FlyteDirectory(path=str(src)), FlyteDirectory)
    assert literal["blob"]["dimensionality"] == "multipart"
    (src / "a.txt").write_text("changed")
    back = TypeEngine.to_python(literal, FlyteDirectory)
    assert (Path(back.download()) / "a.txt").read_text() == "alpha"
    names = sorted(Path(p).name for p in map(os.fspath, FlyteDirectory.listdir(back)))
    assert names == ["a.txt", "sub"]


def test_file_travels_through_a_store_and_downloads_lazily(tmp_path: Path, store: LocalStore) -> None:
    src = tmp_path / "weights.onnx"
    src.write_bytes(b"\x01\x02")
    with use_store(store, "exec-1/raw") as binding:
        assert current_store() is binding
        literal = TypeEngine.to_literal(src, FlyteFile["onnx"])
        uri = literal["blob"]["uri"]
        assert uri.startswith(store.url + "/exec-1/raw/") and uri.endswith("/weights.onnx")
        assert store.exists(uri)
        back = TypeEngine.to_python(literal, FlyteFile["onnx"])
        assert back.remote_source == uri
        assert not back.downloaded and not Path(back.path).exists()
        assert Path(back.download()).read_bytes() == b"\x01\x02"
        # returned unchanged, it keeps pointing at the stored blob (no second upload)
        assert TypeEngine.to_literal(back, FlyteFile)["blob"]["uri"] == uri
    assert current_store() is None


def test_new_remote_file_and_directory_upload_where_chosen(store: LocalStore) -> None:
    with use_store(store, "exec-2/raw"):
        out = FlyteFile.new_remote_file("report.txt")
        with out.open("w") as f:
            f.write("report")
        literal = TypeEngine.to_literal(out, FlyteFile)
        assert literal["blob"]["uri"] == out.remote_path
        assert store.read_bytes(literal["blob"]["uri"]) == b"report"

        folder = FlyteDirectory.new_remote()
        (Path(folder.path) / "x.txt").write_text("x")
        with folder.new_file("y.txt").open("w") as f:
            f.write("y")
        dir_literal = TypeEngine.to_literal(folder, FlyteDirectory)
        assert dir_literal["blob"]["uri"] == folder.remote_directory
        back = TypeEngine.to_python(dir_literal, FlyteDirectory)
        local = Path(back.download())
        assert sorted(p.name for p in local.iterdir()) == ["x.txt", "y.txt"]


def test_directory_round_trip_through_s3(tmp_path: Path, s3_bucket: str) -> None:
    s3 = S3Store(f"s3://{s3_bucket}/dockyard")
    src = make_tree(tmp_path / "ckpt")
    with use_store(s3, f"s3://{s3_bucket}/dockyard/exec-3/raw"):
        literal = TypeEngine.to_literal(src, FlyteDirectory)
        assert literal["blob"]["uri"].startswith(f"s3://{s3_bucket}/dockyard/exec-3/raw/")
        assert literal["blob"]["uri"].endswith("/")
        back = TypeEngine.to_python(literal, FlyteDirectory)
        local = Path(back.download())
    assert (local / "a.txt").read_text() == "alpha"
    assert (local / "sub" / "b.txt").read_text() == "beta"


def test_a_uri_without_a_store_cannot_be_downloaded() -> None:
    ff = TypeEngine.to_python(
        {"blob": {"uri": "s3://bucket/key.csv", "format": "", "dimensionality": "single"}}, FlyteFile
    )
    assert ff.remote_source == "s3://bucket/key.csv"
    with pytest.raises(TypeTransformerFailedError, match="no blob store is installed"):
        ff.download()


def test_files_and_directories_are_hashed_by_content(tmp_path: Path, raw: Path) -> None:
    one, two = tmp_path / "1.txt", tmp_path / "2.txt"
    one.write_text("same")
    two.write_text("same")
    a = hash_literals({"f": TypeEngine.to_literal(one, FlyteFile)})
    b = hash_literals({"f": TypeEngine.to_literal(two, FlyteFile)})
    assert a == b
    two.write_text("different")
    assert hash_literals({"f": TypeEngine.to_literal(two, FlyteFile)}) != a
    tree = make_tree(tmp_path / "t")
    d1 = hash_literals({"d": TypeEngine.to_literal(tree, FlyteDirectory)})
    assert d1 == hash_literals({"d": TypeEngine.to_literal(tree, FlyteDirectory)})
    (tree / "sub" / "b.txt").write_text("changed")
    assert hash_literals({"d": TypeEngine.to_literal(tree, FlyteDirectory)}) != d1


def test_empty_directory_round_trips_through_a_store(tmp_path: Path, store: LocalStore) -> None:
    (tmp_path / "empty").mkdir()
    with use_store(store, "exec-4/raw"):
        literal = TypeEngine.to_literal(tmp_path / "empty", FlyteDirectory)
        back = TypeEngine.to_python(literal, FlyteDirectory)
        assert list(Path(back.download()).iterdir()) == []


def test_appending_to_a_received_file_keeps_its_content_and_uploads_anew(
    tmp_path: Path, store: LocalStore
) -> None:
    src = tmp_path / "log.txt"
    src.write_text("first\n")
    with use_store(store, "exec-5/raw"):
        literal = TypeEngine.to_literal(src, FlyteFile)
        received = TypeEngine.to_python(literal, FlyteFile)
        with received.open("a") as f:
            f.write("second\n")
        assert received.remote_source is None
        out = TypeEngine.to_literal(received, FlyteFile)
        assert out["blob"]["uri"] != literal["blob"]["uri"]
        assert store.read_bytes(out["blob"]["uri"]) == b"first\nsecond\n"
        assert store.read_bytes(literal["blob"]["uri"]) == b"first\n"


def test_files_with_a_format_can_be_pickled(tmp_path: Path) -> None:
    import pickle

    ff = FlyteFile["csv"](tmp_path / "x.csv")
    back = pickle.loads(pickle.dumps(ff))
    assert type(back) is FlyteFile["csv"] and back == ff
    assert type(pickle.loads(pickle.dumps(FlyteFile("p")))) is FlyteFile


def test_file_ext_annotation_names_formats_with_dots(tmp_path: Path, raw: Path) -> None:
    from typing import Annotated

    from dockyard.types.file import FileExt, JSONLFile

    tar_gz = FlyteFile[Annotated[str, FileExt("tar.gz")]]
    assert tar_gz.extension() == "tar.gz" and JSONLFile.extension() == "jsonl"
    src = tmp_path / "a.tar.gz"
    src.write_bytes(b"x")
    assert TypeEngine.to_literal(src, tar_gz)["blob"]["format"] == "tar.gz"


def test_remote_path_false_keeps_the_local_path(tmp_path: Path, store: LocalStore) -> None:
    src = tmp_path / "big.bin"
    src.write_bytes(b"x")
    with use_store(store, "exec-6/raw"):
        literal = TypeEngine.to_literal(FlyteFile(src, remote_path=False), FlyteFile)
    assert literal["blob"]["uri"] == str(src)
    assert FlyteFile(src) == str(src)


def test_pathlib_path_annotation_is_a_file(tmp_path: Path, store: LocalStore) -> None:
    src = tmp_path / "p.txt"
    src.write_text("path")
    with use_store(store, "exec-7/raw"):
        literal = TypeEngine.to_literal(src, Path)
        assert literal["blob"]["uri"].startswith(store.url)
        back = TypeEngine.to_python(literal, Path)
    assert isinstance(back, Path) and back.read_text() == "path"
    with pytest.raises(TypeTransformerFailedError, match=r"^p: expected Path, got int$"):
        TypeEngine.to_literal(3, Path, path="p")


def test_directory_format_hint(tmp_path: Path, raw: Path) -> None:
    import pickle

    shards = FlyteDirectory[typing.TypeVar("tfrecord")]
    assert shards is FlyteDirectory["tfrecord"] and shards.extension() == "tfrecord"
    literal = TypeEngine.to_literal(make_tree(tmp_path / "s"), shards)
    assert literal["blob"] == {**literal["blob"], "format": "tfrecord", "dimensionality": "multipart"}
    back = TypeEngine.to_python(literal, shards)
    assert type(back) is shards
    assert type(pickle.loads(pickle.dumps(back))) is shards
    assert TypeEngine.is_castable(shards, FlyteDirectory)
