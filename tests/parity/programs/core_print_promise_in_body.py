"""print() of a promise inside a workflow body runs. The first call prints at compile time (the same
text under both) and again while running, where flytekit prints its resolved literal's protobuf text and
dockyard the compile form again."""

from flytekit import task, workflow


@task
def inc(x: int) -> int:
    return x + 1


@workflow
def wf(x: int) -> int:
    y = inc(x=x)
    print("y is", y)
    return inc(x=y)


print(wf(x=1))
