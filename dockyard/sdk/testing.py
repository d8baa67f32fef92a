"""flytekit's test helpers: `task_mock` and `patch` swap a task's body, or a workflow's whole run, for a
`MagicMock` while they last.

A task's body is what every local run calls (`entity.fn`) and a workflow's run goes through the walker,
which calls `workflow.mock` when one is set, so a workflow that calls the mocked entity sees the mock too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import MagicMock

from dockyard.sdk.task import PythonTask
from dockyard.sdk.workflow import WorkflowBase

logger = logging.getLogger("dockyard")


def _check(target: Any, what: str) -> None:
    if not isinstance(target, PythonTask | WorkflowBase):
        raise ValueError(f"{what}, but got {type(target)}")


@contextmanager
def task_mock(t: Any) -> Iterator[MagicMock]:
    """Within the block, calling `t` (directly or from a workflow) calls the yielded mock instead."""
    _check(t, "Can only be used for tasks")
    mock = MagicMock()

    def _log(*args: Any, **kwargs: Any) -> Any:
        logger.warning(f"Invoking mock method for task: '{t.name}'")
        return mock(*args, **kwargs)

    # flytekit swaps the entity's `execute`: a task's body, or a whole workflow's run (the workflow's
    # body still compiles, so a workflow that calls it still type-checks)
    attribute = "mock" if isinstance(t, WorkflowBase) else "fn"
    saved = t.__dict__.get(attribute)
    setattr(t, attribute, _log)
    try:
        yield mock
    finally:
        setattr(t, attribute, saved)


def patch(target: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a test: it receives the mock as its first argument while `target` is mocked."""
    _check(target, "Can only use mocks on tasks/workflows declared in Python")

    def wrapper(test_fn: Callable[..., Any]) -> Callable[..., Any]:
        def new_test(*args: Any, **kwargs: Any) -> Any:
            with task_mock(target) as mock:
                return test_fn(mock, *args, **kwargs)

        return new_test

    return wrapper
