"""The context upload: content-addressed in the (moto) S3 store, fetched through a pre-signed URL."""

from __future__ import annotations

import boto3
import httpx
import pytest
from k8s_helpers import make_settings

from dockyard.config import Settings
from dockyard.errors import StoreError
from dockyard.imagespec.context import BuildContext
from dockyard.kubernetes.context_tarball import context_digest, pack_context
from dockyard.kubernetes.context_upload import context_uri, upload_context


def _settings(url: str, endpoint: str) -> Settings:
    settings = make_settings()
    store = settings.store.model_copy(update={"url": url, "s3_endpoint_url": endpoint})
    return settings.model_copy(update={"store": store})


@pytest.mark.s3
def test_upload_once_then_reuse(context: BuildContext, s3_bucket: str, s3_server: str) -> None:
    data = pack_context(context.directory)
    digest = context_digest(data)
    settings = _settings(f"s3://{s3_bucket}/ci/", s3_server)
    url = upload_context(data, digest, settings)
    assert httpx.get(url).content == data
    key = f"ci/build-contexts/{digest.removeprefix('sha256:')}.tar.gz"
    assert context_uri(settings.store.url, digest) == f"s3://{s3_bucket}/{key}"
    # The key names the content, so a second upload of the same digest leaves the stored blob alone.
    s3 = boto3.client("s3", endpoint_url=s3_server)
    s3.put_object(Bucket=s3_bucket, Key=key, Body=b"already there")
    again = upload_context(data, digest, settings)
    assert httpx.get(again).content == b"already there"


@pytest.mark.s3
def test_a_missing_bucket_is_a_store_error(context: BuildContext, s3_bucket: str, s3_server: str) -> None:
    """(`s3_bucket` provides the credentials, so the failure is the bucket, not the login.)"""
    data = pack_context(context.directory)
    settings = _settings("s3://no-such-bucket-dockyard-k8s/x", s3_server)
    with pytest.raises(
        StoreError, match=r"store\.url: cannot upload .* to s3://no-such-bucket.*NoSuchBucket"
    ):
        upload_context(data, context_digest(data), settings)
