"""flytekit 1.16 semantics the SDK follows: promise paths, tuple outputs, map_task partials bound to
promises, on_failure handlers, failure policies and the exceptions user code raises and catches."""

from __future__ import annotations

import datetime
import functools
import typing
from dataclasses import dataclass, field

import pytest

from dockyard import Resources, map_task, task, workflow
from dockyard.sdk.errors import TaskTimeoutError
from dockyard.sdk.exceptions import (
    FlyteAssertion,
    FlytePromiseAttributeResolveException,
    FlyteRecoverableException,
)
from dockyard.sdk.graph import from_json, to_json
from dockyard.sdk.local import LocalTaskRunner
from dockyard.sdk.types import TypeEngine, TypeTransformerFailedError
from dockyard.sdk.types.error import FlyteError
from dockyard.sdk.walker import Walker
from dockyard.sdk.workflow import WorkflowFailurePolicy

SEEN: list[str] = []


@dataclass
class Inner:
    tags: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class Outer:
    name: str
    inner: Inner


@task
def make(n: int) -> Outer:
    return Outer(name=f"o{n}", inner=Inner(tags={"k": [n, n + 1]}))


@task
def double(x: int) -> int:
    return 2 * x


@task
def shout(s: str) -> str:
    return s.upper()


@workflow
def nested_path(n: int) -> tuple[int, str]:
    o = make(n=n)
    return double(x=o.inner.tags["k"][1]), shout(s=o.name)


def test_nested_attribute_key_and_index_paths_resolve_at_run_time() -> None:
    assert nested_path(n=3) == (8, "O3")
    ref = nested_path.graph.nodes[1].inputs["x"]
    assert ref.path == ("inner", "tags", "k", 1) and ref.type is int and ref.base_type is Outer


def test_a_path_survives_the_graph_document() -> None:
    graph = from_json(
        to_json(nested_path.graph), input_types={"n": int}, output_types=nested_path.interface.outputs
    )
    out = Walker(LocalTaskRunner()).run_graph(graph, {"n": TypeEngine.to_literal(1, int)})
    assert TypeEngine.to_python(out["o0"], int) == 4


@workflow
def bad_index(n: int) -> int:
    return double(x=make(n=n).inner.tags["k"][5])


def test_a_bad_path_fails_when_resolved_naming_the_path_and_the_node() -> None:
    with pytest.raises(FlytePromiseAttributeResolveException) as info:
        bad_index(n=1)
    first, second = str(info.value).splitlines()
    assert first == (
        "USER:PromiseAttributeResolveError: error=Failed to resolve attribute path "
        "['inner', 'tags', 'k', 5] in dict `[1, 2]`, attribute `5` not found."
    )
    assert "list index out of range" in second and "node n0" in second
    assert isinstance(info.value, AssertionError) and isinstance(info.value, FlyteAssertion)


@task
def pair() -> (float, float):  # type: ignore[valid-type]
    return 1.0, 2.5


@task
def typed_pair() -> typing.Tuple[int, str]:  # noqa: UP006 - the spelling under test
    return 1, "a"


@workflow
def unpack() -> float:
    _, b = pair()
    return b


def test_tuple_annotations_give_o0_o1() -> None:
    assert list(pair.interface.outputs) == ["o0", "o1"]
    assert list(typed_pair.interface.outputs) == ["o0", "o1"]
    assert pair() == (1.0, 2.5) and typed_pair().o1 == "a"
    assert unpack() == 2.5


@task
def affine(x: int, a: int, b: int) -> int:
    return a * x + b


@workflow
def broadcast(a: int, xs: list[int]) -> list[int]:
    offset = double(x=a)
    return map_task(functools.partial(affine, a=a, b=offset))(x=xs)


@workflow
def zipped() -> list[int]:
    return map_task(affine)(x=[1, 2], a=[10, 20], b=[100, 200])


def test_map_task_partial_binds_workflow_inputs_and_promises() -> None:
    assert broadcast(a=3, xs=[1, 2]) == [9, 12]
    assert zipped() == [110, 240]


@task
def fails(a: int) -> int:
    if a > 0:
        raise ValueError(f"bad {a}")
    return a


@task
def cleanup(a: int, err: typing.Optional[FlyteError] = None) -> None:  # noqa: UP045 - flytekit's spelling
    SEEN.append(f"cleanup {a} {err.failed_node_id if err else None} {err.message if err else None}")


@workflow(on_failure=cleanup)
def guarded(a: int) -> int:
    return fails(a=a)


def test_on_failure_gets_the_inputs_and_the_error_then_the_error_is_raised() -> None:
    SEEN.clear()
    with pytest.raises(ValueError, match="bad 3"):
        guarded(a=3)
    assert [f"cleanup 3 fn0 Error encountered while executing '{fails.name}':\n  bad 3"] == SEEN
    SEEN.clear()
    assert guarded(a=0) == 0 and SEEN == []


@task
def record(label: str) -> str:
    SEEN.append(label)
    return label


@workflow(failure_policy=WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE)
def finish_others(a: int) -> str:
    x = fails(a=a)
    record(label="independent")
    double(x=x)  # depends on the failed node: never runs
    return record(label="last")


@workflow
def fail_fast(a: int) -> str:
    fails(a=a)
    return record(label="never")


def test_failure_policy_lets_independent_nodes_finish() -> None:
    SEEN.clear()
    with pytest.raises(ValueError, match="bad 1"):
        finish_others(a=1)
    assert SEEN == ["independent", "last"]
    SEEN.clear()
    with pytest.raises(ValueError, match="bad 1"):
        fail_fast(a=1)
    assert SEEN == []


ATTEMPTS: list[int] = []


@task(retries=2)
def flaky() -> int:
    ATTEMPTS.append(1)
    if len(ATTEMPTS) < 3:
        raise FlyteRecoverableException("again")
    return len(ATTEMPTS)


def test_recoverable_exception_is_retried_and_prints_like_flytekit() -> None:
    ATTEMPTS.clear()
    assert flaky() == 3
    assert str(FlyteRecoverableException("again")) == "USER:Recoverable: error=again"


def test_type_errors_are_flytekits_triple_exception() -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        double(x="x")  # type: ignore[arg-type]
    assert isinstance(info.value, TypeError | AssertionError | ValueError)
    assert all(issubclass(TypeTransformerFailedError, c) for c in (TypeError, AssertionError, ValueError))


FLAKES: list[int] = []


@task
def flaky_twice(x: int) -> int:
    FLAKES.append(x)
    if len(FLAKES) < 3:
        raise RuntimeError("not yet")
    return x


@task
def sleepy(x: int) -> int:
    import time

    time.sleep(x)
    return x


@workflow
def overridden_retries(x: int) -> int:
    return flaky_twice(x=x).with_overrides(retries=2)


@workflow
def overridden_timeout(x: int) -> int:
    return sleepy(x=x).with_overrides(timeout=datetime.timedelta(seconds=0.2))


@workflow
def overridden_image(x: int) -> int:
    return double(x=x).with_overrides(container_image="registry.example/img:2", requests=Resources(cpu="2"))


def test_overrides_take_effect_in_the_run() -> None:
    FLAKES.clear()
    assert overridden_retries(x=4) == 4 and len(FLAKES) == 3  # the task alone allows no retry
    with pytest.raises(TaskTimeoutError, match=r"timed out after 0\.2s"):
        overridden_timeout(x=2)


def test_overrides_reach_the_runner_of_each_attempt() -> None:
    """What a remote runner (a container per attempt) is given: the node's image and resources."""
    seen: list[tuple[str, object]] = []

    class Recording(LocalTaskRunner):
        def run(self, task, node_id, inputs, attempt):  # type: ignore[no-untyped-def]
            seen.append((task.container_image, task.requests))
            return super().run(task, node_id, inputs, attempt)

    Walker(Recording()).execute(overridden_image, {"x": TypeEngine.to_literal(3, int)})
    assert seen == [("registry.example/img:2", Resources(cpu="2"))]
    assert double.container_image is None  # the task itself is unchanged


def test_an_overridden_image_is_among_the_images_a_remote_run_ensures() -> None:
    from dockyard.runtime.remote import tasks_of

    images = {t.container_image for t in tasks_of(overridden_image)}
    assert "registry.example/img:2" in images
