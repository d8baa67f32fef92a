"""conditional with if_/elif_/else_ on workflow inputs and on task outputs."""

from flytekit import conditional, task, workflow


@task
def score(x: float) -> float:
    return x * 2


@task
def label(s: str) -> str:
    return s.upper()


@workflow
def wf(x: float) -> str:
    s = score(x=x)
    return (
        conditional("grade")
        .if_(s >= 1.5)
        .then(label(s="high"))
        .elif_((s >= 0.5) & (s < 1.5))
        .then(label(s="mid"))
        .else_()
        .then(label(s="low"))
    )


print(wf(x=1.0), wf(x=0.5), wf(x=0.1))
