"""str(), repr() and f-strings of promises run inside a workflow body (they describe the promise)."""

from flytekit import task, workflow

seen = []


@task
def inc(x: int) -> int:
    return x + 1


@workflow
def wf(x: int) -> int:
    y = inc(x=x)
    seen.append(str(y))
    seen.append(f"{x}")
    seen.append(repr(y[0]) if False else "skip")
    return inc(x=y)


print(wf(x=1))
print(len(seen) >= 3, seen[:2])
