"""LaunchPlan from flytekit.core.launch_plan; `get_or_create` returns the same plan for the same name."""

from flytekit import task, workflow
from flytekit.core.launch_plan import LaunchPlan


@task
def neg(x: int) -> int:
    return -x


@workflow
def wf(x: int) -> int:
    return neg(x=x)


a = LaunchPlan.get_or_create(wf, name="surface_neg", default_inputs={"x": 3})
b = LaunchPlan.get_or_create(wf, name="surface_neg", default_inputs={"x": 3})
print(a is b, a(), a(x=1))
