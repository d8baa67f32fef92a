"""@task: decoration-time checks, local calls, strict inputs, exceptions that keep their type."""

from __future__ import annotations

import traceback
from datetime import timedelta
from typing import NamedTuple

import pytest

from dockyard import Resources, Secret, task
from dockyard.errors import DockyardError
from dockyard.sdk.errors import InterfaceError, TaskDefinitionError
from dockyard.sdk.exceptions import FlyteMissingReturnValueException
from dockyard.sdk.types import TypeTransformerFailedError


@task
def add(a: int, b: int = 1) -> int:
    return a + b


@task
def scale(x: float) -> float:
    return x * 2


class Stats(NamedTuple):
    total: int
    mean: float


@task
def stats(xs: list[int]) -> Stats:
    return Stats(sum(xs), sum(xs) / len(xs))


@task
def pair(x: int) -> tuple[int, str]:
    return x, str(x)


@task
def nothing(x: int) -> None:
    return None


@task
def boom(x: int) -> int:
    raise KeyError(f"no key {x}")
    return x  # never reached: flytekit refuses a body with outputs and no `return`


def test_local_call_with_defaults_and_positional() -> None:
    assert add(a=2) == 3
    assert add(a=2, b=5) == 7
    assert add(4) == 5  # flytekit 1.16 accepts positional arguments in local calls


def test_outputs_follow_flytekit_shapes() -> None:
    assert stats(xs=[1, 2, 3]) == Stats(6, 2.0)
    assert isinstance(stats(xs=[1]), Stats)
    out = pair(x=3)
    assert out == (3, "3") and out._fields == ("o0", "o1")
    assert nothing(x=1) is None


def test_inputs_are_strict() -> None:
    with pytest.raises(TypeTransformerFailedError, match="expected float, got int"):
        scale(x=1)
    with pytest.raises(InterfaceError, match="unknown input 'c'"):
        add(a=1, c=2)
    with pytest.raises(TypeError, match=r"add\(\) missing 1 required positional argument: 'a'"):
        add(b=1)


def test_missing_annotation_names_function_and_argument() -> None:
    with pytest.raises(InterfaceError, match=r"untyped.*argument 'y' has no type annotation"):

        @task
        def untyped(x: int, y) -> int:  # type: ignore[no-untyped-def]
            return x


def test_var_args_rejected() -> None:
    with pytest.raises(InterfaceError, match="argument 'rest'"):

        @task
        def star(*rest: int) -> int:
            return 0


def test_cache_true_needs_version() -> None:
    with pytest.raises(ValueError, match="If version is not defined then at least one cache policy"):

        @task(cache=True)
        def cached(x: int) -> int:
            return x


def test_bad_retries_and_timeout() -> None:
    with pytest.raises(TaskDefinitionError, match="retries"):

        @task(retries=-1)
        def negative(x: int) -> int:
            return x

    with pytest.raises(TaskDefinitionError, match="timeout"):

        @task(timeout="soon")
        def slow(x: int) -> int:
            return x


def test_exception_keeps_type_and_names_task() -> None:
    with pytest.raises(KeyError) as info:
        boom(x=7)
    message = str(info.value)
    assert "test_core_tasks.boom" in message
    assert "no key 7" in message


def test_final_traceback_has_user_frames_not_walker_frames() -> None:
    with pytest.raises(KeyError) as info:
        boom(x=1)
    frames = traceback.extract_tb(info.value.__traceback__)
    files = [f.filename for f in frames]
    assert any(
        f.endswith("test_core_tasks.py") and fr.name == "boom" for f, fr in zip(files, frames, strict=True)
    )
    assert not any("walker.py" in f for f in files)
    assert not any("local.py" in f and fr.name == "_call" for f, fr in zip(files, frames, strict=True))


def test_metadata_is_recorded_as_plain_attributes() -> None:
    @task(
        requests=Resources(cpu="1", mem="1Gi"),
        limits=Resources(cpu="2", mem="2Gi"),
        retries=2,
        timeout=timedelta(minutes=5),
        interruptible=True,
        environment={"A": "1"},
        secret_requests=[Secret(group="aws", key="key")],
        container_image="localhost:5000/x:1",
        cache=True,
        cache_version="3",
    )
    def meta(x: int) -> int:
        return x

    assert isinstance(meta.requests, Resources) and isinstance(meta.limits, Resources)
    assert meta.requests == Resources(cpu="1", mem="1Gi") and meta.retries == 2 and meta.timeout_s == 300.0
    assert meta.interruptible is True and meta.environment == {"A": "1"}
    assert meta.secret_requests == [Secret(group="aws", key="key")]
    assert meta.container_image == "localhost:5000/x:1"
    assert meta.cache and meta.cache_version == "3"
    assert meta.name.endswith("test_core_tasks.meta")
    assert list(meta.interface.inputs) == ["x"] and list(meta.interface.outputs) == ["o0"]
    assert meta(x=4) == 4


def test_errors_are_dockyard_errors() -> None:
    assert issubclass(InterfaceError, DockyardError) and issubclass(InterfaceError, TypeError)


class Only(NamedTuple):
    value: int


@task
def only_tuple(x: int) -> Only:
    return Only(x)


@task
def only_bare(x: int) -> Only:
    return x  # type: ignore[return-value]


def test_one_field_named_tuple_comes_back_as_the_named_tuple() -> None:
    # flytekit 1.16 returns the NamedTuple from a local call, whichever way the body returned it
    assert only_tuple(x=3) == Only(3) and type(only_tuple(x=3)) is Only
    assert only_bare(x=4) == Only(4)
    assert list(only_tuple.interface.outputs) == ["value"]


def test_one_field_named_tuple_in_a_workflow() -> None:
    from dockyard import workflow

    @workflow
    def wf(x: int) -> Only:
        return only_tuple(x=only_tuple(x=x))

    assert wf(x=5) == Only(5)


def test_outputs_without_return_are_refused_at_decoration() -> None:
    def fetch(url: str) -> str:
        raise RuntimeError(url)

    with pytest.raises(FlyteMissingReturnValueException, match=r"^fetch function must return a value\."):
        task(fetch)

    def optional(url: str) -> str | None:  # an Optional output may end without one, as in flytekit
        print(url)

    assert task(optional)(url="u") is None
