"""A mocked two-output workflow whose mock returns one value fails as flytekit fails: a TypeError."""

import typing

from flytekit import task, workflow
from flytekit.testing import task_mock


@task
def pair(x: int) -> typing.Tuple[int, int]:
    return x, x + 1


@workflow
def pairs(x: int) -> typing.Tuple[int, int]:
    return pair(x=x)


with task_mock(pairs) as mock:
    mock.return_value = 7
    pairs(x=1)
