"""conditional on an Optional output with is_none, and a boolean output with is_true/is_false."""

import typing

from flytekit import conditional, task, workflow


@task
def maybe(n: int) -> typing.Optional[int]:
    return None if n < 0 else n


@task
def ok(n: int) -> bool:
    return n % 2 == 0


@task
def say(s: str) -> str:
    return s


@workflow
def wf(n: int) -> str:
    m = maybe(n=n)
    return conditional("none").if_(m.is_none()).then(say(s="none")).else_().then(say(s="some"))


@workflow
def wf2(n: int) -> str:
    b = ok(n=n)
    return conditional("even").if_(b.is_false()).then(say(s="odd")).else_().then(say(s="even"))


print(wf(n=-1), wf(n=2), wf2(n=3), wf2(n=4))
