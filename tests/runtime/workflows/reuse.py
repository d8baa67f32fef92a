"""Workflows of the reusable-container tests (`@task(reusable=ReusePolicy(...))`), in the runtime image."""

from __future__ import annotations

import os
import subprocess
import tempfile
from datetime import timedelta

from faults import runtime_image

from dockyard import Secret, current_context, dynamic, map_task, task, workflow
from dockyard.sdk.reuse import ReusePolicy

warm = ReusePolicy(replicas=2, idle_ttl=60)
SEEN: list[int] = []  # module state: a fresh fork of the warm process starts with it empty


@task(container_image=runtime_image, reusable=warm)
def probe(x: int) -> str:
    """What an attempt sees of earlier ones: module state, files left in its folder and in TMPDIR, env."""
    SEEN.append(x)
    leftovers = sorted(n for n in os.listdir(".") if n.startswith("left-by-")) + sorted(
        n for n in os.listdir(tempfile.gettempdir()) if n.startswith("left-by-")
    )
    for folder in (".", tempfile.gettempdir()):
        with open(os.path.join(folder, f"left-by-{x}"), "w") as f:
            f.write("x")
    procs = sum(1 for pid in os.listdir("/proc") if pid.isdigit() and _cmdline(pid) == b"sleep\x00317\x00")
    subprocess.Popen(["sleep", "317"])  # left running in the background: must not reach the next attempt
    forked = os.getpid() != 1
    return f"{x} seen={SEEN} files={leftovers} procs={procs} forked={forked} host={os.uname().nodename}"


def _cmdline(pid: str) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


@workflow
def probes(xs: list[int]) -> list[str]:
    return map_task(probe, concurrency=2)(x=xs)


@task(container_image=runtime_image, reusable=warm)
def crash(x: int) -> int:
    """Item 1 dies hard (no error document, like a segfault); the other items must not notice."""
    if x == 1 and current_context().attempt == 0:
        os._exit(139)
    return x * 10


@workflow
def crashes(xs: list[int]) -> list[int]:
    return map_task(crash, concurrency=1)(x=xs)


@task(
    container_image=runtime_image, reusable=ReusePolicy(replicas=1), retries=1, timeout=timedelta(seconds=3)
)
def slow_once(x: int) -> int:
    """Hangs past its timeout on the first attempt; the retry, in the same warm container, returns."""
    if current_context().attempt == 0:
        import time

        time.sleep(60)
    return x + 1


@task(container_image=runtime_image, reusable=ReusePolicy(replicas=1))
def after(x: int) -> int:
    return x * 2


@workflow
def timeout_then_more(x: int) -> int:
    return after(x=slow_once(x=x))


@task(
    container_image=runtime_image,
    reusable=ReusePolicy(replicas=1),
    secret_requests=[Secret(group="reuse", key="token")],
)
def read_secret(x: int) -> str:
    import hashlib

    token = current_context().secrets.get("reuse", "token")
    return f"{x}:{hashlib.sha256(token.encode()).hexdigest()[:12]}"


@workflow
def secrets(xs: list[int]) -> list[str]:
    return map_task(read_secret)(x=xs)


@task(container_image=runtime_image, reusable=warm)
def double(x: int) -> str:
    return f"{x * 2}@{os.uname().nodename}"


@dynamic(container_image=runtime_image)
def spread(n: int) -> list[str]:
    """A dynamic fan-out: each node of the sub-DAG it builds is an attempt of a reusable task."""
    return [double(x=i) for i in range(n)]
