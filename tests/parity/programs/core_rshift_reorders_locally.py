"""`later >> first`: dockyard runs `later` first, as a remote run would; flytekit ignores `>>` locally
and runs the nodes in the order the body created them."""

from flytekit import task, workflow


@task
def first():
    print("first")


@task
def later():
    print("later")


@workflow
def wf():
    a = first()
    b = later()
    b >> a


wf()
