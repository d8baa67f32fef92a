"""Tests mock reference tasks with `task_mock`, so workflows that use them run locally."""

from flytekit import reference_task, workflow
from flytekit.testing import task_mock


@reference_task(project="p", domain="d", name="shared.lookup", version="v3")
def lookup(key: str) -> int: ...


@workflow
def wf(key: str) -> int:
    return lookup(key=key)


with task_mock(lookup) as mock:
    mock.return_value = 42
    print(wf(key="answer"))
    print(mock.call_args)
