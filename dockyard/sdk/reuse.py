"""`ReusePolicy`: a dockyard extension that lets a task's attempts share warm containers.

In the spirit of Flyte 2's reusable environments: `@task(reusable=ReusePolicy(replicas=2, idle_ttl=60))`.
On the Docker backend, up to `replicas` containers of the task's image (and resources, user, secrets) stay
up for the execution, each with a warm Python process that has dockyard imported; every attempt (map items
included) is a fork of that process, so it starts with fresh module state, its own working and temporary
folder and its own env, and a crash of one attempt never reaches the next. Without it nothing changes;
flytekit code never passes it. Isolation and its limits: docs/reuse.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from dockyard.sdk.errors import TaskDefinitionError


@dataclass(frozen=True)
class ReusePolicy:
    """`replicas`: most warm containers per image and settings; `idle_ttl`: seconds (or a timedelta) a
    container waits for its next attempt before it exits (and is removed)."""

    replicas: int = 2
    idle_ttl: float | timedelta = 60.0

    def __post_init__(self) -> None:
        if not isinstance(self.replicas, int) or isinstance(self.replicas, bool) or self.replicas < 1:
            raise TaskDefinitionError(f"ReusePolicy.replicas must be an int >= 1, got {self.replicas!r}")
        ttl = self.idle_ttl
        seconds = ttl.total_seconds() if isinstance(ttl, timedelta) else ttl
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
            raise TaskDefinitionError(f"ReusePolicy.idle_ttl must be positive seconds, got {ttl!r}")
        object.__setattr__(self, "idle_ttl", float(seconds))

    @property
    def idle_ttl_s(self) -> float:
        ttl = self.idle_ttl
        return ttl.total_seconds() if isinstance(ttl, timedelta) else float(ttl)
