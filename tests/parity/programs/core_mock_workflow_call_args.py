"""What a mocked workflow is called with: flytekit hands it resolved promises, dockyard the Python values."""

from flytekit import task, workflow
from flytekit.testing import task_mock


@task
def double(x: int) -> int:
    return x * 2


@workflow
def doubled(x: int) -> int:
    return double(x=x)


with task_mock(doubled) as mock:
    mock.return_value = 0
    doubled(x=3)
    mock.assert_called_once_with(x=3)
    print("called with x=3")
