"""`LaunchPlan.get_default_launch_plan(ctx, wf)` is the workflow's own plan, named after it."""

from flytekit import FlyteContextManager, LaunchPlan, task, workflow


@task
def inc(x: int) -> int:
    return x + 1


@workflow
def wf(x: int = 1) -> int:
    return inc(x=x)


lp = LaunchPlan.get_default_launch_plan(FlyteContextManager.current_context(), wf)
print(lp.name)
print(lp(), lp(x=41))
print(LaunchPlan.get_default_launch_plan(FlyteContextManager.current_context(), wf) is lp)
