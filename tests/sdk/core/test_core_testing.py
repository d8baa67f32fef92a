"""`dockyard.testing.task_mock` / `patch` on whole workflows: the mock stands in for the workflow's run."""

from __future__ import annotations

import typing

import pytest

from dockyard import task, workflow
from dockyard.testing import patch, task_mock

RAN: list[int] = []


@task
def bump(x: int) -> int:
    RAN.append(x)
    return x + 1


@workflow
def inner(x: int) -> int:
    return bump(x=x)


@workflow
def outer(x: int) -> tuple[int, int]:
    y = inner(x=x)
    return y, bump(x=y)


def test_a_mocked_workflow_gets_python_values_and_its_graph_stays_real() -> None:
    RAN.clear()
    with task_mock(inner) as mock:
        mock.return_value = 10
        assert outer(x=1) == (10, 11)
        # flytekit hands the mock its resolved promises (== on them cannot be tested); dockyard hands it
        # the Python values, as both hand a mocked task (docs/flytekit-differences.md)
        mock.assert_called_once_with(x=1)
    assert RAN == [10]
    # the mock ran instead of the workflow's nodes; the compiled graph is still the body's
    assert [node.entity.name for node in inner.graph.nodes] == [bump.name]
    assert outer(x=1) == (2, 3)


def test_patch_restores_the_workflow_even_when_the_test_fails() -> None:
    @patch(inner)
    def failing(mock: typing.Any) -> None:
        mock.return_value = 5
        assert outer(x=1)[0] == 5
        raise RuntimeError("test failed")

    with pytest.raises(RuntimeError):
        failing()
    assert inner(x=1) == 2
