"""The default launch plan of a workflow, called directly and inside another workflow."""

from flytekit import LaunchPlan, task, workflow


@task
def mul(a: int, b: int) -> int:
    return a * b


@workflow
def times(a: int, b: int = 3) -> int:
    return mul(a=a, b=b)


lp = LaunchPlan.get_or_create(times)  # no name: the default launch plan


@workflow
def outer(a: int) -> int:
    return lp(a=a)


print(lp.name == times.name, lp(a=2), outer(a=5))
