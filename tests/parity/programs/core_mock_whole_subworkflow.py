"""task_mock on a workflow replaces its whole run, called directly or as a sub-workflow of another."""

from flytekit import task, workflow
from flytekit.testing import task_mock


@task
def double(x: int) -> int:
    print("double ran with", x)
    return x * 2


@workflow
def inner(x: int) -> int:
    return double(x=x)


@workflow
def outer(x: int) -> int:
    return double(x=inner(x=x))


with task_mock(inner) as mock:
    mock.return_value = 100
    print("outer:", outer(x=3))
    print("inner:", inner(x=3))
    print("calls:", mock.call_count)

print("unmocked outer:", outer(x=3))
