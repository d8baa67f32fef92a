"""@eager: an async workflow whose body sees real values; sync tasks return values directly."""

import asyncio

from flytekit import eager, task


@task
def inc(x: int) -> int:
    return x + 1


@task
def double(x: int) -> int:
    return 2 * x


@eager
async def pipeline(x: int) -> int:
    a = inc(x=x)
    if a > 3:  # real Python control flow on real values
        return double(x=a)
    return a


print(asyncio.run(pipeline(x=1)))
print(asyncio.run(pipeline(x=5)))
