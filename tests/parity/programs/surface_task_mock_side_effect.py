"""`task_mock` replaces a task's body inside the block only; `side_effect` computes the mocked result."""

from flytekit import task, workflow
from flytekit.testing import task_mock


@task
def slow_square(x: int) -> int:
    return x * x


@workflow
def wf(x: int) -> int:
    return slow_square(x=x)


with task_mock(slow_square) as mock:
    mock.side_effect = lambda x: x + 1000
    print(wf(x=3))
    print(mock.call_count)
print(wf(x=3))
