"""A @dynamic body branches in plain Python on its real inputs."""

from flytekit import dynamic, task, workflow


@task
def small(x: int) -> str:
    return f"small {x}"


@task
def big(x: int) -> str:
    return f"big {x}"


@dynamic
def route(xs: list[int]) -> list[str]:
    out = []
    for x in xs:
        out.append(big(x=x) if x > 10 else small(x=x))
    return out


@workflow
def wf(xs: list[int]) -> list[str]:
    return route(xs=xs)


print(wf(xs=[1, 20, 3]))
