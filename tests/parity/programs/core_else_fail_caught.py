"""The failure of a conditional's else branch is a ValueError user code can catch."""

from flytekit import conditional, task, workflow


@task
def half(x: float) -> float:
    return x / 2


@workflow
def wf(x: float) -> float:
    return conditional("range").if_((x > 0.0) & (x < 10.0)).then(half(x=x)).else_().fail("out of range")


try:
    wf(x=20.0)
except ValueError as e:
    print("ValueError:", e)
print(wf(x=3.0))
