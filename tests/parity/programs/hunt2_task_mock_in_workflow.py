"""task_mock and patch in a user's test of a workflow."""

from flytekit import task, workflow
from flytekit.testing import patch, task_mock


@task
def fetch(url: str) -> str:
    raise RuntimeError("no network in tests")


@task
def count(s: str) -> int:
    return len(s)


@workflow
def wf(url: str) -> int:
    return count(s=fetch(url=url))


with task_mock(fetch) as m:
    m.return_value = "hello"
    print(wf(url="http://x"))


@patch(fetch)
def test_it(mocked):
    mocked.return_value = "abc"
    print(wf(url="y"))


test_it()
try:
    wf(url="z")
except RuntimeError as e:
    print(type(e).__name__)
