"""The older spelling: cache=True, cache_version and cache_ignore_input_vars."""

from flytekit import task

calls = []


@task(cache=True, cache_version="2", cache_ignore_input_vars=("seed",))
def train(lr: float, seed: int) -> float:
    calls.append(lr)
    return lr * 10


print(train(lr=0.1, seed=1), train(lr=0.1, seed=2), train(lr=0.2, seed=1))
print(len(calls))
