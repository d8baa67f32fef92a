"""Cache(version=..., ignored_inputs=...): the same inputs again (an ignored one aside) is a cache hit."""

from flytekit import Cache, task, workflow

calls = []


@task(cache=Cache(version="1", ignored_inputs=["verbose"], serialize=True))
def square(x: int, verbose: bool) -> int:
    calls.append(x)
    return x * x


@workflow
def wf(x: int, verbose: bool) -> int:
    return square(x=x, verbose=verbose)


print(wf(x=3, verbose=True), wf(x=3, verbose=False), wf(x=4, verbose=False))
print("computed for", calls)
