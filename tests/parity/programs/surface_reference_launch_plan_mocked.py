"""A workflow calling a reference launch plan runs under test once the plan is mocked."""

from flytekit import reference_launch_plan, task, workflow
from flytekit.testing import task_mock


@reference_launch_plan(project="p", domain="d", name="nightly.lp", version="v9")
def nightly(day: str) -> int: ...


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def wf(day: str) -> int:
    return double(x=nightly(day=day))


with task_mock(nightly) as mock:
    mock.return_value = 21
    print(wf(day="mon"))
