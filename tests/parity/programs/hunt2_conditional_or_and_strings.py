"""conditional with | and & on string and int comparisons, its output feeding another task."""

from flytekit import conditional, task, workflow


@task
def upper(s: str) -> str:
    return s.upper()


@task
def lower(s: str) -> str:
    return s.lower()


@task
def decorate(s: str) -> str:
    return f"[{s}]"


@workflow
def wf(mode: str, n: int, s: str) -> str:
    picked = (
        conditional("case")
        .if_((mode == "up") | (n > 10))
        .then(upper(s=s))
        .elif_((mode == "low") & (n < 0))
        .then(lower(s=s))
        .else_()
        .then(decorate(s=s))
    )
    return decorate(s=picked)


print(wf(mode="up", n=0, s="Ab"))
print(wf(mode="x", n=11, s="Ab"))
print(wf(mode="low", n=-1, s="Ab"))
print(wf(mode="low", n=1, s="Ab"))
