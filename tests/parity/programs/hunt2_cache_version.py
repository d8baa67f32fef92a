"""cache=True with cache_version: the second call with the same inputs is served from the cache."""

from flytekit import task, workflow

calls = []


@task(cache=True, cache_version="1.0")
def slow(x: int) -> int:
    calls.append(x)
    return x * 10


@workflow
def wf(x: int) -> int:
    return slow(x=x)


print(wf(x=1), wf(x=1), wf(x=2))
print(len(calls))
