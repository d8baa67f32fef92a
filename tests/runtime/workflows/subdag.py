"""A dynamic task whose sub-DAG converts values (int into a Union, int into Optional) and reports where its
body ran; it uses the same plain runtime image as faults.py (same ImageSpec, no extra build)."""

from __future__ import annotations

import functools
import os
from typing import Optional, Union

from dockyard import ImageSpec, dynamic, map_task, task, workflow

runtime_image = ImageSpec(name="dockyard-test-runtime", registry="localhost:5000")


@task(container_image=runtime_image)
def double(x: int) -> int:
    return 2 * x


@task(container_image=runtime_image)
def describe(v: Union[int, str], where: str, extra: Optional[int] = None) -> str:  # noqa: UP007, UP045
    return f"{type(v).__name__}:{v}+{extra}@{where}"


@dynamic(container_image=runtime_image)
def spread(n: int) -> list[str]:
    """Its body records whether it ran in its image (the runtime sets DOCKYARD_IMAGE_SPEC_ID there)."""
    where = "container" if os.environ.get("DOCKYARD_IMAGE_SPEC_ID") else "driver"
    return [describe(v=double(x=i), where=where, extra=double(x=i)) for i in range(n)]


@task(container_image=runtime_image)
def scale(x: int, k: int) -> int:
    return k * x


@workflow
def spread_wf(n: int) -> list[str]:
    return spread(n=n)


@workflow
def mapped_wf(xs: list[int]) -> list[int]:
    """Map items read the map node's one inputs document; `k` is bound, shared by every item."""
    return map_task(functools.partial(scale, k=3), concurrency=2)(x=xs)


@workflow
def optional_wf(x: int) -> str:
    """A workflow input (int) feeding an Optional[int] input: a converting reference to `$inputs`."""
    return describe(v="a", where="wf", extra=x)
