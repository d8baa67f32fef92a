"""Launch plans with fixed and default inputs, called from a workflow."""

from flytekit import LaunchPlan, task, workflow


@task
def add(a: int, b: int) -> int:
    return a + b


@workflow
def adder(a: int, b: int = 1) -> int:
    return add(a=a, b=b)


lp_fixed = LaunchPlan.get_or_create(adder, name="lp_fixed", fixed_inputs={"b": 100})
lp_default = LaunchPlan.get_or_create(adder, name="lp_default", default_inputs={"a": 7})


@workflow
def outer(x: int) -> (int, int):
    return lp_fixed(a=x), lp_default(b=x)


print(outer(x=2))
print(lp_fixed(a=1), lp_default())
try:
    lp_fixed(a=1, b=2)
except Exception as e:
    print(type(e).__name__)
