"""@dynamic sub-DAGs and map_task: concurrency honoured, min_success_ratio, functools.partial bindings."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import pytest

from dockyard import dynamic, map_task, task, workflow

_lock = threading.Condition()
ACTIVE = {"now": 0, "max": 0, "target": 1}


@dataclass
class TrainingConfig:
    learning_rate: float = 1e-4
    batch_size: int = 32


@task
def train_and_eval(config: TrainingConfig) -> float:
    return config.learning_rate * config.batch_size


@dynamic
def hyperparameter_search(configs: list[TrainingConfig]) -> list[float]:
    results = []
    for cfg in configs:
        results.append(train_and_eval(config=cfg))
    return results


@task
def square(x: int) -> int:
    return x * x


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@dynamic
def fan_out(n: int) -> int:
    squares = [square(x=i) for i in range(n)]  # Python control flow on a real value
    return total(xs=squares)


@workflow
def dyn_in_wf(n: int) -> int:
    return fan_out(n=square(x=n))


@task
def tracked(x: int) -> int:
    with _lock:
        ACTIVE["now"] += 1
        ACTIVE["max"] = max(ACTIVE["max"], ACTIVE["now"])
        _lock.notify_all()
        # hold the item until `target` items run together (a stalled tail gives up after a while), so
        # the pool gets every chance to exceed its limit if it did not honour it
        _lock.wait_for(lambda: ACTIVE["now"] >= ACTIVE["target"], timeout=2)
        ACTIVE["now"] -= 1
    return x + 1


@task
def fragile(x: int) -> int:
    if x % 4 == 0:
        raise ValueError(f"bad item {x}")
    return x


@task
def affine(x: int, a: int, b: int = 0) -> int:
    return a * x + b


@workflow
def parallel_training(configs: list[TrainingConfig]) -> list[float]:
    return map_task(train_and_eval)(config=configs)


@workflow
def limited(xs: list[int]) -> list[int]:
    return map_task(tracked, concurrency=3)(x=xs)


def test_dynamic_builds_and_runs_sub_dag() -> None:
    configs = [TrainingConfig(0.1, 10), TrainingConfig(0.5, 2)]
    assert hyperparameter_search(configs=configs) == [1.0, 1.0]
    assert fan_out(n=4) == 0 + 1 + 4 + 9


def test_dynamic_inside_workflow() -> None:
    assert dyn_in_wf(n=2) == sum(i * i for i in range(4))


def test_dynamic_sub_graph_has_prefixed_nodes() -> None:
    graph = fan_out.build("n7", {"n": 2})
    assert [n.id for n in graph.nodes] == ["n7-n0", "n7-n1", "n7-n2"]
    assert graph.nodes[2].upstream == ["n7-n0", "n7-n1"]


def test_map_task_in_workflow_and_directly() -> None:
    configs = [TrainingConfig(1.0, 2), TrainingConfig(0.5, 4), TrainingConfig()]
    assert parallel_training(configs=configs) == [2.0, 2.0, pytest.approx(0.0032)]
    assert map_task(square)(x=[1, 2, 3]) == [1, 4, 9]
    assert map_task(square)(x=[]) == []


def test_map_concurrency_limit_is_honoured() -> None:
    ACTIVE.update(now=0, max=0, target=3)
    assert limited(xs=list(range(12))) == list(range(1, 13))
    assert ACTIVE["max"] == 3  # parallel, but never more than the limit
    ACTIVE.update(now=0, max=0, target=1)
    map_task(tracked, concurrency=1)(x=list(range(4)))
    assert ACTIVE["max"] == 1


def test_min_success_ratio_gives_none_for_failed_items() -> None:
    out = map_task(fragile, min_success_ratio=0.7)(x=list(range(1, 11)))
    assert out == [1, 2, 3, None, 5, 6, 7, None, 9, 10]
    mt = map_task(fragile, min_success_ratio=0.5)
    assert mt.interface.outputs["o0"] == list[int | None]


def test_ratio_not_met_raises_first_failure() -> None:
    with pytest.raises(ValueError, match="bad item 4"):
        map_task(fragile, min_success_ratio=0.9)(x=list(range(1, 11)))
    with pytest.raises(ValueError, match="fragile"):
        map_task(fragile)(x=[1, 4])


def test_partial_binds_scalar_inputs() -> None:
    mt = map_task(functools.partial(affine, a=3), concurrency=2)
    assert mt.interface.inputs["a"] is int and mt.interface.inputs["x"] == list[int]
    assert mt(x=[1, 2]) == [3, 6]  # b keeps the task's default
    assert map_task(functools.partial(affine, a=2, b=1))(x=[0, 5]) == [1, 11]

    @workflow
    def wf(xs: list[int]) -> list[int]:
        return map_task(functools.partial(affine, a=10))(x=xs)

    assert wf(xs=[1, 2]) == [10, 20]


def test_mapped_lists_must_match() -> None:
    @task
    def both(a: int, b: int) -> int:
        return a + b

    with pytest.raises(Exception, match="different lengths"):
        map_task(both)(a=[1, 2], b=[1])
