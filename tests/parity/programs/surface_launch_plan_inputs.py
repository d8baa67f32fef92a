"""Launch plans bind default and fixed inputs; calling one runs its workflow."""

from flytekit import LaunchPlan, task, workflow


@task
def greet(greeting: str, name: str) -> str:
    return f"{greeting}, {name}"


@workflow
def wf(greeting: str, name: str) -> str:
    return greet(greeting=greeting, name=name)


lp = LaunchPlan.get_or_create(
    wf, name="surface_lp_inputs", default_inputs={"name": "world"}, fixed_inputs={"greeting": "hi"}
)
print(lp.name)
print(lp())
print(lp(name="flyte"))
