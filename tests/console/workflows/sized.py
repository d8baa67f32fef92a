"""A task that asks for resources and a GPU, for the console's node view (never run on a machine here)."""

from __future__ import annotations

from dockyard import Resources, task, workflow
from dockyard.extras.accelerators import T4


@task(requests=Resources(cpu="2", mem="1Gi"), limits=Resources(mem="2Gi"), accelerator=T4)
def train(x: int) -> int:
    return x


@workflow
def sized(x: int = 1) -> int:
    return train(x=x)
