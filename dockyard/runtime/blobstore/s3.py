"""The `s3://` store through boto3 (imported lazily): multipart for large files, retried transient errors.

S3 makes each object's PUT atomic; a *set* of objects (a task's outputs) is made all-or-nothing by the
writer putting a marker last (see `dockyard.runtime.outputs`), not here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from dockyard.errors import StoreError
from dockyard.runtime.blobstore.base import Store

MULTIPART_THRESHOLD = 8 * 1024 * 1024
MULTIPART_CHUNK = 8 * 1024 * 1024


def split_uri(uri: str) -> tuple[str, str]:
    """(bucket, key) of an `s3://bucket/key` URI."""
    parsed = urlparse(uri)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise StoreError(f"{uri}: not an s3://bucket/key URI")
    return parsed.netloc, parsed.path.lstrip("/")


def _reason(exc: Exception) -> str:
    """One line for a botocore/boto3 failure."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        err = response["Error"]
        return f"{err.get('Code', '?')}: {err.get('Message', '')}".strip()
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


_MISSING = ("404", "NoSuchKey", "NotFound")


class S3Store(Store):
    """Blobs as objects under `s3://bucket/prefix`; a URI ending in '/' names every object below it."""

    def __init__(
        self,
        url: str,
        *,
        endpoint_url: str | None = None,
        multipart_threshold: int = MULTIPART_THRESHOLD,
        multipart_chunk: int = MULTIPART_CHUNK,
        max_attempts: int = 4,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 60.0,
    ) -> None:
        self.bucket, prefix = split_uri(url)
        self.url = f"s3://{self.bucket}/{prefix}".rstrip("/")
        self.endpoint_url = endpoint_url
        self.multipart_threshold = multipart_threshold
        self.multipart_chunk = multipart_chunk
        self.max_attempts = max_attempts
        self.connect_timeout_s = connect_timeout_s
        self.read_timeout_s = read_timeout_s
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The boto3 client, made on first use; endpoint from settings, else AWS_ENDPOINT_URL / AWS config."""
        if self._client is None:
            import boto3
            from botocore.config import Config

            config = Config(
                retries={"max_attempts": self.max_attempts, "mode": "standard"},
                connect_timeout=self.connect_timeout_s,
                read_timeout=self.read_timeout_s,
            )
            self._client = boto3.session.Session().client("s3", endpoint_url=self.endpoint_url, config=config)
        return self._client

    def _transfer_config(self) -> Any:
        from boto3.s3.transfer import TransferConfig

        return TransferConfig(
            multipart_threshold=self.multipart_threshold,
            multipart_chunksize=self.multipart_chunk,
            use_threads=True,
        )

    def _fail(self, uri: str, action: str, exc: Exception) -> StoreError:
        return StoreError(f"{uri}: cannot {action}: {_reason(exc)}")

    def _read_fail(self, uri: str, action: str, exc: Exception) -> StoreError:
        """A missing key says so plainly; any other failure names the action and the reason."""
        if _code(exc) in _MISSING:
            return StoreError(f"{uri}: no such blob in the store")
        return self._fail(uri, action, exc)

    def get(self, uri: str, local_path: Path) -> Path:
        local_path = Path(local_path)
        if uri.endswith("/"):
            found = False
            for key_uri in self.list(uri):
                found = True
                self.get(key_uri, local_path / key_uri[len(uri) :])
            if not found:
                raise StoreError(f"{uri}: no such prefix in the store")
            return local_path
        bucket, key = split_uri(uri)
        local_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.client.download_file(bucket, key, str(local_path), Config=self._transfer_config())
        except Exception as exc:
            raise self._read_fail(uri, "download", exc) from None
        return local_path

    def put(self, local_path: Path, uri: str) -> str:
        local_path = Path(local_path)
        if local_path.is_dir():
            return self._put_folder(local_path, uri)
        if not local_path.is_file():
            raise StoreError(f"{local_path}: no such file to upload to {uri}")
        bucket, key = split_uri(uri)
        try:
            self.client.upload_file(str(local_path), bucket, key, Config=self._transfer_config())
        except Exception as exc:
            raise self._fail(uri, "upload", exc) from None
        return uri

    def exists(self, uri: str) -> bool:
        bucket, key = split_uri(uri)
        try:
            self.client.head_object(Bucket=bucket, Key=key)
            return True
        except Exception as exc:
            if _code(exc) in _MISSING:
                return False
            raise self._fail(uri, "check", exc) from None

    def list(self, prefix: str) -> Iterator[str]:
        bucket, key = split_uri(prefix)
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key)
            for page in pages:
                for obj in page.get("Contents", []):
                    yield f"s3://{bucket}/{obj['Key']}"
        except Exception as exc:
            raise self._fail(prefix, "list", exc) from None

    def read_bytes(self, uri: str) -> bytes:
        bucket, key = split_uri(uri)
        try:
            body: bytes = self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        except Exception as exc:
            raise self._read_fail(uri, "read", exc) from None
        return body

    def delete(self, uri: str) -> None:
        bucket, key = split_uri(uri)
        try:
            self.client.delete_object(Bucket=bucket, Key=key)
        except Exception as exc:
            raise self._fail(uri, "delete", exc) from None

    def write_bytes(self, uri: str, data: bytes) -> str:
        bucket, key = split_uri(uri)
        try:
            self.client.put_object(Bucket=bucket, Key=key, Body=data)
        except Exception as exc:
            raise self._fail(uri, "write", exc) from None
        return uri
