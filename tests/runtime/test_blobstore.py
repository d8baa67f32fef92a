"""Both blob stores against real back-ends: a local folder and a moto S3 server process."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from dockyard.config import load_settings
from dockyard.errors import StoreError
from dockyard.runtime.blobstore import LocalStore, Store, open_store
from dockyard.runtime.blobstore.s3 import S3Store

from .conftest import MotoProcess, make_bucket, start_moto


@pytest.fixture(params=["file", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "file":
        return open_store(f"file://{tmp_path}/store", load_settings(environ={}))
    moto: MotoProcess = request.getfixturevalue("moto")
    settings = load_settings({"store": {"s3_endpoint_url": moto.endpoint}}, environ={})
    return open_store(f"s3://{make_bucket(moto.endpoint)}/root", settings)


def test_put_get_roundtrip(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("hello")
    uri = store.url_for("x", "a.txt")
    assert not store.exists(uri)
    assert store.put(src, uri) == uri
    assert store.exists(uri)
    assert store.get(uri, tmp_path / "out" / "b.txt").read_text() == "hello"
    assert store.read_bytes(uri) == b"hello"


def test_directory_put_list_get(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "dir"
    (src / "sub").mkdir(parents=True)
    (src / "one.bin").write_bytes(b"1")
    (src / "sub" / "two.bin").write_bytes(b"22")
    prefix = store.put(src, store.url_for("d"))
    assert prefix.endswith("/")
    assert list(store.list(prefix)) == [prefix + "one.bin", prefix + "sub/two.bin"]
    out = store.get(prefix, tmp_path / "copy")
    assert (out / "sub" / "two.bin").read_bytes() == b"22"
    assert (out / "one.bin").read_bytes() == b"1"


def test_missing_blob_is_a_store_error_naming_the_uri(store: Store, tmp_path: Path) -> None:
    uri = store.url_for("nope", "missing.json")
    with pytest.raises(StoreError, match=r"missing\.json: no such blob"):
        store.get(uri, tmp_path / "x")
    with pytest.raises(StoreError, match=r"missing\.json"):
        store.read_bytes(uri)


def test_json_documents(store: Store) -> None:
    uri = store.url_for("doc.json")
    store.write_json(uri, {"b": 1, "a": [1, 2]})
    assert store.read_json(uri) == {"a": [1, 2], "b": 1}


def test_local_put_leaves_no_partial_file_when_the_source_vanishes(tmp_path: Path) -> None:
    store = LocalStore(f"file://{tmp_path}/store")
    uri = store.url_for("out", "x.bin")
    with pytest.raises(StoreError, match="no such file"):
        store.put(tmp_path / "does-not-exist", uri)
    assert not store.exists(uri)
    assert list(store.list(store.url_for("out"))) == []


def test_local_put_replaces_atomically(tmp_path: Path) -> None:
    """The destination is either the old or the new content: a rename, never an in-place rewrite."""
    store = LocalStore(f"file://{tmp_path}/store")
    uri = store.url_for("v")
    store.write_bytes(uri, b"old")
    inode = os.stat(tmp_path / "store" / "v").st_ino
    store.write_bytes(uri, b"new")
    assert store.read_bytes(uri) == b"new"
    assert os.stat(tmp_path / "store" / "v").st_ino != inode


def test_s3_multipart_upload(moto: MotoProcess, tmp_path: Path) -> None:
    store = S3Store(
        f"s3://{make_bucket(moto.endpoint)}/mp",
        endpoint_url=moto.endpoint,
        multipart_threshold=5 * 1024 * 1024,
        multipart_chunk=5 * 1024 * 1024,
    )
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(12 * 1024 * 1024))
    uri = store.put(big, store.url_for("big.bin"))
    bucket, key = uri[len("s3://") :].split("/", 1)
    etag = store.client.head_object(Bucket=bucket, Key=key)["ETag"]
    assert etag.strip('"').endswith("-3")  # a multipart ETag names its part count
    back = store.get(uri, tmp_path / "back.bin")
    assert hashlib.sha256(back.read_bytes()).digest() == hashlib.sha256(big.read_bytes()).digest()


def test_s3_endpoint_from_aws_env(moto: MotoProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto.endpoint)
    bucket = make_bucket(moto.endpoint)
    store = open_store(f"s3://{bucket}/env", load_settings(environ={}))
    store.write_bytes(store.url_for("k"), b"v")
    assert store.read_bytes(f"s3://{bucket}/env/k") == b"v"


def test_s3_server_stopped_mid_run_gives_a_clear_error(tmp_path: Path) -> None:
    server = start_moto()
    try:
        store = S3Store(
            f"s3://{make_bucket(server.endpoint)}/r",
            endpoint_url=server.endpoint,
            max_attempts=2,
            connect_timeout_s=1,
        )
        first = store.url_for("first")
        store.write_bytes(first, b"1")
    finally:
        server.stop()
    second = store.url_for("second")
    with pytest.raises(StoreError, match=r"s3://.*/r/second: cannot write: .*(connect|Connect)"):
        store.write_bytes(second, b"2")
    src = tmp_path / "f"
    src.write_text("x")
    with pytest.raises(StoreError, match=r"/r/third: cannot upload"):
        store.put(src, store.url_for("third"))


def test_unknown_scheme_is_a_config_level_store_error() -> None:
    with pytest.raises(StoreError, match="unsupported scheme"):
        open_store("gs://bucket/x", load_settings(environ={}))
