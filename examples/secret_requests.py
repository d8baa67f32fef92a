"""Secrets: requested by the task, read from `current_context().secrets`.

    export _FSEC_AWS_ACCESS_KEY=AKIA... _FSEC_AWS_SECRET_KEY=...
    dockyard run examples/secret_requests.py download_from_s3 --bucket models

Locally a secret comes from env `_FSEC_<GROUP>_<KEY>` (flytekit's convention), then `<GROUP>_<KEY>`, then
the file `<secrets dir>/<group>/<key>` (setting executor.secrets_dir). Remotely the executor mounts the same.
"""

from __future__ import annotations

import hashlib

from dockyard import Secret, current_context, task


@task(
    secret_requests=[
        Secret(group="aws", key="access_key"),
        Secret(group="aws", key="secret_key"),
    ]
)
def download_from_s3(bucket: str) -> str:
    ctx = current_context()
    access_key = ctx.secrets.get("aws", "access_key")
    secret_key = ctx.secrets.get("aws", "secret_key")
    fingerprint = hashlib.sha256(secret_key.encode()).hexdigest()[:8]  # never print a secret itself
    return f"s3://{bucket} as {access_key} (secret key sha256 {fingerprint}...)"
