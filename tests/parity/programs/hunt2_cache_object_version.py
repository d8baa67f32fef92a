"""Cache(version=..., ignored_inputs=...) in a workflow: an ignored input does not bust the cache."""

from flytekit import Cache, task, workflow

runs = []


@task(cache=Cache(version="v1", ignored_inputs=("verbose",)))
def compute(x: int, verbose: bool) -> int:
    runs.append(x)
    return x + 1


@workflow
def wf(x: int, verbose: bool = False) -> int:
    return compute(x=x, verbose=verbose)


print(wf(x=1), wf(x=1, verbose=True), wf(x=2))
print(runs)
