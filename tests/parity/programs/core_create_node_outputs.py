"""create_node returns the node: its outputs are attributes (node.o0) and `>>` orders it."""

from flytekit import task, workflow
from flytekit.core.node_creation import create_node


@task
def fetch() -> int:
    print("fetch")
    return 5


@task
def warm_up():
    print("warm up")


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def wf() -> int:
    w = create_node(warm_up)
    f = create_node(fetch)
    w >> f
    return double(x=f.o0)


print(wf())
