"""typing.Optional and Union outputs, with None and both union members."""

import typing

from flytekit import task, workflow


@task
def pick(n: int) -> typing.Union[int, str]:
    return n if n > 0 else "neg"


@task
def opt(n: int) -> typing.Optional[typing.List[int]]:
    return list(range(n)) if n else None


@workflow
def wf(n: int) -> (typing.Union[int, str], typing.Optional[typing.List[int]]):
    return pick(n=n), opt(n=n)


print(wf(n=3))
print(wf(n=0))
