"""`flytekit.testing.patch` decorates a test function, handing it the mock first."""

from flytekit import task, workflow
from flytekit.testing import patch


@task
def fetch(n: int) -> str:
    raise RuntimeError("would reach the network")
    return "unreachable"


@workflow
def wf(n: int) -> str:
    return fetch(n=n)


@patch(fetch)
def test_wf(mock_fetch, suffix):
    mock_fetch.return_value = "cached"
    return wf(n=1) + suffix


print(test_wf("!"))
