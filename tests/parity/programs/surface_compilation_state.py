"""A workflow decorator reads the body's nodes from `ctx.compilation_state` to order set-up and tear-down."""

from functools import wraps

from flytekit import FlyteContextManager, task, workflow
from flytekit.core.node_creation import create_node


@task
def setup() -> None:
    print("setup")


@task
def teardown() -> None:
    print("teardown")


@task
def work(x: int) -> int:
    print("work", x)
    return x + 1


def around(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        ctx = FlyteContextManager.current_context()
        before = create_node(setup)
        out = fn(*args, **kwargs)
        after = create_node(teardown)
        if ctx.compilation_state is not None:
            nodes = ctx.compilation_state.nodes
            before >> nodes[1]
            nodes[-2] >> after
        return out

    return wrapper


@workflow
@around
def wf(x: int) -> int:
    return work(x=x)


print(wf(x=1))
print(FlyteContextManager.current_context().compilation_state)
