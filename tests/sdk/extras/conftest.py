"""Launch plans live in a process-wide registry (as in flytekit): each test starts with it empty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dockyard.sdk.launch_plan import LaunchPlan


@pytest.fixture(autouse=True)
def _fresh_launch_plans() -> Iterator[None]:
    saved = dict(LaunchPlan.CACHE)
    LaunchPlan.CACHE.clear()
    yield
    LaunchPlan.CACHE.clear()
    LaunchPlan.CACHE.update(saved)
