"""Put a packed build context in the S3 blob store and hand the cluster a pre-signed URL to fetch it.

The key is the tarball's digest, so an unchanged context is uploaded once. The initContainer only needs
`curl`, not S3 credentials: the URL (valid for the build's deadline) travels in the build's Secret.
"""

from __future__ import annotations

from urllib.parse import urlparse

from dockyard.config import Settings
from dockyard.errors import ConfigError, StoreError


def context_uri(store_url: str, digest: str) -> str:
    """Where a context with this digest lives in the store: `<store>/build-contexts/<hex>.tar.gz`."""
    return f"{store_url.rstrip('/')}/build-contexts/{digest.removeprefix('sha256:')}.tar.gz"


def require_cluster_store(url: str) -> None:
    """Pods read build contexts and task values from the store: a `file://` one is refused up front, before
    any build or run starts (a config error, exit 2), by the kubernetes builder and executor alike."""
    if urlparse(url).scheme != "s3":
        raise ConfigError(
            f"store.url {url}: pods cannot reach a local folder; kubernetes needs an s3:// store"
        )


def upload_context(data: bytes, digest: str, settings: Settings) -> str:
    """Upload (unless present) and return a pre-signed GET URL valid for the build's deadline."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    require_cluster_store(settings.store.url)
    uri = context_uri(settings.store.url, digest)
    parsed = urlparse(uri)
    bucket, key = parsed.netloc, parsed.path.lstrip("/")
    s3 = boto3.client("s3", endpoint_url=settings.store.s3_endpoint_url)
    try:
        try:
            s3.head_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise
            s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType="application/gzip")
        url: str = s3.generate_presigned_url(
            "get_object",
            Params={"Bucket": bucket, "Key": key},
            ExpiresIn=settings.kubernetes.build_timeout_s + 600,
        )
    except (BotoCoreError, ClientError) as exc:
        raise StoreError(f"store.url: cannot upload the build context to {uri}: {exc}") from None
    return url
