"""`@patch(workflow)` hands the test a mock that stands in for the workflow's run while the test runs."""

import typing

from flytekit import task, workflow
from flytekit.testing import patch


@task
def split(text: str) -> typing.List[str]:
    return text.split()


@workflow
def words(text: str) -> typing.Tuple[int, str]:
    parts = split(text=text)
    return count(parts=parts), text


@task
def count(parts: typing.List[str]) -> int:
    return len(parts)


@workflow
def report(text: str) -> str:
    n, original = words(text=text)
    return describe(n=n, original=original)


@task
def describe(n: int, original: str) -> str:
    return f"{original!r} has {n} words"


@patch(words)
def test_report(mocked):
    mocked.return_value = (42, "mocked text")
    result = report(text="a b c")
    mocked.assert_called_once()
    return result


print(test_report())
print(report(text="a b c"))
