"""Async tasks awaited inside an @eager workflow, concurrently with asyncio.gather."""

import asyncio

from flytekit import eager, task


@task
async def fetch(i: int) -> int:
    await asyncio.sleep(0)
    return i * 10


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@eager
async def pipeline(n: int) -> int:
    values = await asyncio.gather(*[fetch(i=i) for i in range(n)])
    print("fetched", list(values))
    return total(xs=list(values))


print(asyncio.run(pipeline(n=4)))
