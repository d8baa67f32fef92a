"""Conditional branch nodes: if/elif/else, conjunctions, is_none, failures and nested branches."""

from dockyard import conditional, task, workflow


@task
def double(a: float) -> float:
    return a * 2


@task
def half(a: float) -> float:
    return a / 2


@task
def square(a: float) -> float:
    return a * a


@task
def coin(a: int) -> bool:
    return a % 2 == 0


@task
def opt(a: int) -> int | None:
    return a or None


@task
def noop() -> None:
    pass


@workflow
def if_else(a: float) -> float:
    return conditional("sign").if_(a >= 0.0).then(double(a=a)).else_().then(half(a=a))


@workflow
def elif_chain(a: float) -> float:
    return (
        conditional("size")
        .if_((a > 1.0) & (a < 10.0))
        .then(double(a=a))
        .elif_((a >= 10.0) | (a == -1.0))
        .then(half(a=a))
        .else_()
        .then(square(a=a))
    )


@workflow
def on_promise(a: int) -> float:
    even = coin(a=a)
    return conditional("parity").if_(even.is_true()).then(double(a=1.0)).else_().then(half(a=1.0))


@workflow
def failing(a: float) -> float:
    return conditional("guard").if_(a > 0.0).then(double(a=a)).else_().fail("a must be positive")


@workflow
def nested_branches(a: float, b: float) -> float:
    inner = conditional("inner").if_(b > 0.0).then(double(a=b)).else_().then(half(a=b))
    return conditional("outer").if_(a > 0.0).then(square(a=inner)).else_().then(half(a=a))


@workflow
def none_check(a: int) -> float:
    o = opt(a=a)
    return conditional("isnone").if_(o.is_none()).then(double(a=0.0)).else_().then(half(a=2.0))
