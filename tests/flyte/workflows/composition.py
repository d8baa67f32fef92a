"""Map tasks (ArrayNode), subworkflows, launch plan references and dynamic tasks."""

import functools

from dockyard import LaunchPlan, dynamic, map_task, task, workflow


@task
def inc(x: int) -> int:
    return x + 1


@task
def mul(x: int, k: int) -> int:
    return x * k


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@task
def label(x: int, s: str) -> str:
    return f"{s}{x}"


@task(retries=2, cache=True, cache_version="1")
def careful(x: int) -> int:
    return x


@workflow
def mapped(xs: list[int]) -> int:
    return total(xs=map_task(inc)(x=xs))


@workflow
def mapped_options(xs: list[int]) -> list[int | None]:
    return map_task(inc, concurrency=2, min_success_ratio=0.5)(x=xs)


@workflow
def mapped_partial(xs: list[int]) -> int:
    ys = map_task(functools.partial(mul, k=3))(x=xs)
    return total(xs=ys)


@workflow
def mapped_multi(xs: list[int], ss: list[str]) -> list[str]:
    return map_task(label)(x=xs, s=ss)


@workflow
def mapped_metadata(xs: list[int]) -> list[int]:
    return map_task(careful)(x=xs)


@workflow
def child(x: int) -> int:
    return inc(x=x)


@workflow
def child_pair(x: int) -> tuple[int, int]:
    return inc(x=x), mul(x=x, k=2)


@workflow
def parent(x: int = 1) -> int:
    a = child(x=x)
    b, c = child_pair(x=a)
    return total(xs=[a, b, c])


@workflow
def grandparent(x: int = 2) -> int:
    return parent(x=child(x=x))


child_lp = LaunchPlan.get_or_create(child, name="child_lp", default_inputs={"x": 4})


@workflow
def calls_launch_plan(x: int = 1) -> int:
    y = child_lp(x=x)
    return inc(x=y)


@dynamic
def fan_out(n: int) -> list[int]:
    return [inc(x=i) for i in range(n)]


@dynamic(retries=1, cache=True, cache_version="3")
def sum_dyn(n: int) -> int:
    return total(xs=[inc(x=i) for i in range(n)])


@workflow
def dynamic_wf(n: int = 3) -> int:
    fan_out(n=n)
    return sum_dyn(n=n)
