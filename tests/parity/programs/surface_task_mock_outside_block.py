"""Outside the task_mock block the real body runs again; mocks only non-Python entities raise."""

from flytekit import task
from flytekit.testing import task_mock


@task
def real(x: int) -> int:
    return x + 1


with task_mock(real) as mock:
    mock.return_value = 0
    print(real(x=1))
print(real(x=1))
try:
    with task_mock(print):
        pass
except ValueError as exc:
    print("ValueError", str(exc).split(",")[0])
