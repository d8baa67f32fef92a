"""A cached task with the same inputs runs once; its body's print shows only the first time."""

from flytekit import task, workflow


@task(cache=True, cache_version="1.0")
def expensive(x: int) -> int:
    print("computing", x)
    return x * x


@workflow
def wf(x: int) -> int:
    return expensive(x=x)


print(wf(x=4))
print(wf(x=4))
print(wf(x=5))
