"""`typing.Tuple[int, str]` outputs: o0, o1, and a workflow returning a tuple."""

import typing

from flytekit import task, workflow


@task
def pair(n: int) -> typing.Tuple[int, str]:
    return n * 2, f"n={n}"


@workflow
def wf(n: int) -> typing.Tuple[str, int]:
    a, b = pair(n=n)
    return b, a


out = pair(n=3)
print(out.o0, out.o1)
print(wf(n=4))
