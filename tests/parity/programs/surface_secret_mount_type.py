"""Secret requests name how the secret is mounted; locally the value comes from the environment."""

import os

from flytekit import Secret, current_context, task

os.environ["_FSEC_VAULT_TOKEN"] = "t0k3n"


@task(secret_requests=[Secret(group="vault", key="token", mount_requirement=Secret.MountType.ENV_VAR)])
def use() -> str:
    return current_context().secrets.get(group="vault", key="token")[:2]


print(use(), Secret.MountType.FILE.name)
