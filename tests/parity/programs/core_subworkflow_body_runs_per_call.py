"""A workflow body runs when it is compiled (with its sub-workflows) and again on every local call;
a dynamic body runs once per call, when its node runs."""

from flytekit import dynamic, task, workflow


@task
def inc(x: int) -> int:
    print("inc", x)
    return x + 1


@workflow
def child(x: int) -> int:
    print("child body")
    return inc(x=x)


@workflow
def parent(x: int) -> int:
    print("parent body")
    y = child(x=x)
    return inc(x=y)


@dynamic
def dyn(n: int) -> list[int]:
    print("dyn body", n)
    return [inc(x=i) for i in range(n)]


@workflow
def dwf(n: int) -> list[int]:
    print("dwf body")
    return dyn(n=n)


print(parent(x=1))
print("---")
print(parent(x=2))
print("---")
print(dwf(n=2))
