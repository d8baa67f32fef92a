"""A decorator puts setup and teardown nodes around a workflow body, ordered by `>>` (compilation state)."""

from functools import partial, wraps

from flytekit import FlyteContextManager, task, workflow
from flytekit.core.node_creation import create_node


@task
def open_session():
    print("session opened")


@task
def close_session():
    print("session closed")


SEEN = []


def with_session(fn=None, *, before, after):
    if fn is None:
        return partial(with_session, before=before, after=after)

    @wraps(fn)
    def wrapper(*args, **kwargs):
        ctx = FlyteContextManager.current_context()
        first = create_node(before)
        outputs = fn(*args, **kwargs)
        last = create_node(after)
        if ctx.compilation_state is not None:
            nodes = ctx.compilation_state.nodes
            SEEN.append(len(nodes))
            first >> nodes[1]
            nodes[-2] >> last
        return outputs

    return wrapper


@task
def minus_one(x: float) -> float:
    print("minus_one")
    return x - 1


@task
def square(x: float) -> float:
    print("square")
    return x**2


@workflow
@with_session(before=open_session, after=close_session)
def pipeline(x: float) -> float:
    return square(x=minus_one(x=x))


print(pipeline(x=10.0))
print("nodes while compiling:", SEEN[0])
print(pipeline.__name__, pipeline.name)
