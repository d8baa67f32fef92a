"""conditional(...).else_().fail(msg) raises a ValueError with the message when taken."""

from flytekit import conditional, task, workflow


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def wf(x: int) -> int:
    return conditional("positive").if_(x > 0).then(double(x=x)).else_().fail("x must be positive")


print(wf(x=2))
wf(x=-1)
