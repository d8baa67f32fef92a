"""conditional(): only the taken branch runs; fail() raises; &, |, is_true/is_false/is_none; shorthand."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from dockyard import conditional, task, workflow
from dockyard.sdk.errors import CompileError, ConditionalFailure

runs: Counter[str] = Counter()
_lock = threading.Lock()


def _count(name: str) -> None:
    with _lock:
        runs[name] += 1


@task
def deploy_model(score: float) -> str:
    _count("deploy")
    return f"deployed {score}"


@task
def retrain_model(score: float) -> str:
    _count("retrain")
    return f"retrained {score}"


@task
def review(score: float) -> str:
    _count("review")
    return f"review {score}"


@task
def is_good(score: float) -> bool:
    return score > 0.5


@task
def maybe(flag: bool) -> int | None:
    return 1 if flag else None


@task
def noop(x: float) -> None:
    _count("noop")


@workflow
def seed_shorthand(x: float) -> str:
    return (
        conditional("check_threshold").if_(x > 0.9, then=deploy_model(score=x)).else_(retrain_model(score=x))
    )


@workflow
def chained(x: float) -> str:
    return (
        conditional("quality_gate")
        .if_((x >= 0.85) & (x <= 1.0))
        .then(deploy_model(score=x))
        .elif_((x < 0.0) | (x > 1.0))
        .then(review(score=x))
        .else_()
        .then(retrain_model(score=x))
    )


@workflow
def failing(x: float) -> str:
    return conditional("guard").if_(x >= 0.0).then(deploy_model(score=x)).else_().fail("score must be >= 0")


@workflow
def on_bool(x: float) -> str:
    good = is_good(score=x)
    return (
        conditional("bool")
        .if_(good.is_true())
        .then(deploy_model(score=x))
        .elif_(good.is_false())
        .then(retrain_model(score=x))
        .else_()
        .fail("unreachable")
    )


@workflow
def on_none(flag: bool) -> str:
    value = maybe(flag=flag)
    return (
        conditional("none").if_(value.is_none()).then(review(score=0.0)).else_().then(deploy_model(score=1.0))
    )


@workflow
def void_branch(x: float) -> None:
    conditional("void").if_(x > 0.0).then(noop(x=x)).else_().then(noop(x=0.0))


@workflow
def after_branch(x: float) -> str:
    verdict = conditional("then_more").if_(x > 0.5).then(deploy_model(score=x)).else_().then(review(score=x))
    return verdict


def setup_function() -> None:
    runs.clear()


def test_seed_shorthand_runs_only_taken_branch() -> None:
    assert seed_shorthand(x=0.95) == "deployed 0.95"
    assert runs == Counter(deploy=1)
    runs.clear()
    assert seed_shorthand(x=0.5) == "retrained 0.5"
    assert runs == Counter(retrain=1)


def test_elif_and_combined_conditions() -> None:
    assert chained(x=0.9) == "deployed 0.9"
    assert chained(x=1.5) == "review 1.5"
    assert chained(x=-0.5) == "review -0.5"
    assert chained(x=0.3) == "retrained 0.3"
    assert runs == Counter(deploy=1, review=2, retrain=1)


def test_fail_raises_only_when_taken() -> None:
    assert failing(x=0.2) == "deployed 0.2"
    with pytest.raises(ConditionalFailure, match=r"^score must be >= 0$"):
        failing(x=-1.0)


def test_is_true_is_false_is_none() -> None:
    assert on_bool(x=0.9) == "deployed 0.9"
    assert on_bool(x=0.1) == "retrained 0.1"
    assert on_none(flag=False) == "review 0.0"
    assert on_none(flag=True) == "deployed 1.0"


def test_branch_without_outputs() -> None:
    assert void_branch(x=1.0) is None
    assert runs == Counter(noop=1)


def test_branch_is_one_node_with_cases() -> None:
    (node,) = chained.graph.nodes
    assert node.kind == "branch" and node.branch is not None
    assert [c.condition is None for c in node.branch.cases] == [False, False, True]
    assert after_branch(x=0.7) == "deployed 0.7"


def test_promise_as_condition_is_a_compile_error() -> None:
    def wf_bare(x: float) -> str:
        good = is_good(score=x)
        return conditional("c").if_(good).then(deploy_model(score=x)).else_().then(review(score=x))

    with pytest.raises(AssertionError, match=r"is_true\(\)") as info:
        _ = workflow(wf_bare).graph  # traced on first use, as flytekit compiles on the first call
    assert isinstance(info.value, CompileError)


def test_or_keyword_is_a_compile_error() -> None:
    def wf_or(x: float) -> str:
        return (
            conditional("c").if_((x > 1.0) or (x < 0.0)).then(review(score=x)).else_().then(review(score=x))
        )

    with pytest.raises(ValueError, match=r"combine conditions with & and \|") as info:
        _ = workflow(wf_or).graph
    assert isinstance(info.value, CompileError)


def test_conditional_outside_workflow() -> None:
    with pytest.raises(CompileError, match="inside a workflow"):
        conditional("nowhere")


@task
def plus_one(x: int) -> int:
    _count(f"plus_one({x})")
    return x + 1


@task
def split(x: int) -> tuple[int, str]:
    return x, str(x)


@workflow
def nested_branches(x: int) -> int:
    return (
        conditional("outer")
        .if_(x > 0)
        .then(conditional("inner").if_(x > 10).then(plus_one(x=100)).else_().then(plus_one(x=x)))
        .else_()
        .then(plus_one(x=-1))
    )


@workflow
def two_output_branch(x: int) -> tuple[int, str]:
    return conditional("pair").if_(x > 0).then(split(x=x)).else_().then(split(x=0))


@workflow
def inline_condition(x: int) -> int:
    return conditional("inline").if_(plus_one(x=x) > 2).then(plus_one(x=50)).else_().then(plus_one(x=60))


def test_nested_conditionals() -> None:
    assert nested_branches(x=20) == 101
    assert nested_branches(x=5) == 6
    assert nested_branches(x=-3) == 0
    assert set(runs) == {"plus_one(100)", "plus_one(5)", "plus_one(-1)"}


def test_branch_with_two_outputs() -> None:
    assert two_output_branch(x=3) == (3, "3")
    assert two_output_branch(x=-1) == (0, "0")


def test_node_made_inside_the_condition_runs_before_the_branch() -> None:
    assert inline_condition(x=5) == 51
    assert inline_condition(x=0) == 61
    assert [n.kind for n in inline_condition.graph.nodes] == ["task", "branch"]


def test_conditional_inside_dynamic() -> None:
    from dockyard import dynamic

    @dynamic
    def choose(x: int) -> int:
        if x > 3:  # real values: plain Python control flow
            return plus_one(x=x)
        return conditional("d").if_(plus_one(x=x) > 2).then(plus_one(x=50)).else_().then(plus_one(x=60))

    assert (choose(x=5), choose(x=2), choose(x=0)) == (6, 51, 61)
