"""Small workflows for the fault tests; they run in the plain runtime image (`runtime_image`)."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from typing import Optional

from dockyard import FlyteFile, ImageSpec, Secret, current_context, dynamic, map_task, task, workflow

runtime_image = ImageSpec(name="dockyard-test-runtime", registry="localhost:5000")

VERSION = "v1"  # the source-only change test edits this line


@task(container_image=runtime_image)
def count_up(to: int) -> int:
    """Counts, checkpointing after each step; waits at `to // 2` on a first attempt so it can be killed."""
    cp = current_context().checkpoint
    prev = cp.read()
    start = int(prev.decode()) if prev else 0
    for i in range(start, to):
        cp.write(str(i + 1).encode())
        if i + 1 == to // 2 and start == 0:
            time.sleep(120)  # the test kills the container here
    return start * 1000 + to  # tells the test where it resumed from


@task(container_image=runtime_image, timeout=timedelta(seconds=2))
def slow() -> int:
    time.sleep(60)
    return 1


@task(container_image=runtime_image)
def hello(name: str) -> str:
    return f"hello {name} {VERSION} {os.environ.get('DOCKYARD_IMAGE_SPEC_ID', '')[:8]}"


@task(container_image=runtime_image)
def shout(text: str) -> str:
    return text.upper()


@task(container_image=runtime_image)
def whoami() -> str:
    """The execution as the task sees it (flytekit's current_context().execution_id)."""
    execution = current_context().execution_id
    return f"{execution.project}/{execution.domain}/{execution.name}"


@task(container_image=runtime_image)
def fail_user(x: int) -> int:
    raise ValueError(f"bad input {x}")
    return x  # never reached: flytekit refuses a body with outputs and no `return`


@workflow
def greet(name: str) -> str:
    return shout(text=hello(name=name))


@workflow
def checkpointed(to: int) -> int:
    return count_up(to=to)


@workflow
def timeout_wf() -> int:
    return slow()


@task(container_image="localhost:5000/dockyard/missing@sha256:" + "0" * 64)
def ghost() -> int:
    return 0


@workflow
def ghost_wf() -> int:
    return ghost()


@task(container_image=runtime_image)
def square(x: int) -> int:
    if x == 3:
        raise ValueError("three is unlucky")
    return x * x


@dynamic(container_image=runtime_image)
def squares(n: int) -> list[int]:
    return [square(x=i) for i in range(n) if i != 3]


@workflow
def fan(n: int, xs: list[int]) -> tuple[list[int], list[Optional[int]]]:  # noqa: UP045 - flytekit style
    return squares(n=n), map_task(square, concurrency=2, min_success_ratio=0.5)(x=xs)


@task(container_image=runtime_image)
def count_lines(f: FlyteFile) -> int:
    with open(f.download()) as handle:
        return len(handle.readlines())


@workflow
def lines(f: FlyteFile) -> int:
    return count_lines(f=f)


@task(container_image=runtime_image, secret_requests=[Secret(group="db", key="password")])
def secret_digest() -> str:
    import hashlib

    value = current_context().secrets.get("db", "password")
    return hashlib.sha256(value.encode()).hexdigest()


@task(
    container_image=runtime_image,
    secret_requests=[
        Secret(group="db", key="password", group_version="v2"),
        Secret(group="api", key="token", mount_requirement=Secret.MountType.ENV_VAR, env_var="API_TOKEN"),
        Secret(group="tls", key="pem", env_var="TLS_PEM_PATH"),
    ],
)
def secret_options() -> str:
    """group_version, env_var and mount_requirement, as flytekit's SecretsManager and env see them."""
    with open(os.environ["TLS_PEM_PATH"]) as pem:
        tls = pem.read()
    return "|".join([current_context().secrets.get("db", "password", "v2"), os.environ["API_TOKEN"], tls])


@task(container_image=runtime_image, cache=True, cache_version="1")
def cached_cube(x: int) -> int:
    return x * x * x


@workflow
def cubes(x: int) -> int:
    return cached_cube(x=x)


@task(container_image=runtime_image, retries=2)
def flaky(n: int) -> str:
    """Fails on the first attempt after checkpointing; the retry reads the checkpoint."""
    cp = current_context().checkpoint
    prev = cp.read()
    if prev is None:
        cp.write(b"half-way")
        raise RuntimeError("transient failure")
    return f"{prev.decode()} then done ({n})"
