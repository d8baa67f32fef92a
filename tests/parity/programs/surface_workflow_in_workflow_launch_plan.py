"""A launch plan called inside a workflow runs its workflow with the plan's defaults."""

from flytekit import LaunchPlan, task, workflow


@task
def mul(a: int, b: int) -> int:
    return a * b


@workflow
def times(a: int, b: int) -> int:
    return mul(a=a, b=b)


times_ten = LaunchPlan.get_or_create(times, name="surface_times_ten", default_inputs={"b": 10})


@workflow
def wf(a: int) -> int:
    return times_ten(a=a)


print(wf(a=4))
