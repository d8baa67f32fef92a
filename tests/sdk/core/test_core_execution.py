"""Local execution features: retries with checkpoint resume, timeouts, the SQLite cache, secrets, context."""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from dockyard import Secret, current_context, task, workflow
from dockyard.sdk import cache as cache_mod
from dockyard.sdk.context import is_local_execution
from dockyard.sdk.errors import SecretNotFoundError, TaskTimeoutError
from dockyard.sdk.local import overwriting_cache, run
from dockyard.sdk.walker import Event

CALLS: Counter[str] = Counter()
_lock = threading.Lock()


def _count(name: str) -> int:
    with _lock:
        CALLS[name] += 1
        return CALLS[name]


@pytest.fixture(autouse=True)
def _fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    CALLS.clear()
    monkeypatch.setenv("DOCKYARD_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    from dockyard.config import get_settings

    get_settings.cache_clear()


# ---- retries and checkpoints ------------------------------------------------------------------------------

PROGRESS: list[int] = []


@task(retries=3)
def long_training(epochs: int) -> float:
    """The seed's resume-after-failure example: each attempt dies after two epochs."""
    checkpoint = current_context().checkpoint
    prev = checkpoint.read()
    start_epoch = 0
    if prev:
        start_epoch = json.loads(prev)["epoch"]
    loss = 1.0
    for done_this_attempt, epoch in enumerate(range(start_epoch, epochs), 1):
        PROGRESS.append(epoch)
        loss = 1.0 / (epoch + 1)
        checkpoint.write(json.dumps({"epoch": epoch + 1}).encode())
        if done_this_attempt == 2 and epoch + 1 < epochs:
            raise RuntimeError(f"preempted after epoch {epoch}")
    return loss


@task(retries=2)
def flaky(x: int) -> int:
    if _count("flaky") < 3:
        raise ConnectionError("transient")
    return x


@task(retries=1)
def always_fails(x: int) -> int:
    _count("always")
    raise ValueError("broken input")
    return x  # never reached: flytekit refuses a body with outputs and no `return`


def test_retries_resume_from_checkpoint() -> None:
    PROGRESS.clear()
    assert long_training(epochs=5) == pytest.approx(1 / 5)
    assert PROGRESS == [0, 1, 2, 3, 4]  # every epoch ran exactly once across 3 attempts


def test_retries_until_success_and_events() -> None:
    events: list[Event] = []
    assert run(flaky, {"x": 5}, on_event=events.append) == 5
    assert CALLS["flaky"] == 3
    assert [e.kind for e in events] == ["retry", "retry"]


def test_final_failure_after_retries_names_task() -> None:
    with pytest.raises(ValueError, match=r"Error encountered while executing '.*always_fails'") as info:
        always_fails(x=1)
    assert "broken input" in str(info.value)
    assert CALLS["always"] == 2


def test_checkpoint_outside_retries_is_empty() -> None:
    @task
    def fresh() -> bool:
        cp = current_context().checkpoint
        return cp.read() is None and not cp.prev_exists() and cp.restore() is None

    assert fresh() is True


def test_checkpoint_save_and_restore_folder(tmp_path: Path) -> None:
    @task(retries=1)
    def with_folder() -> str:
        ctx = current_context()
        restored = ctx.checkpoint.restore(Path(ctx.working_directory) / "restored")
        if restored is None:
            state = Path(ctx.working_directory) / "state"
            state.mkdir()
            (state / "weights.txt").write_text("w1")
            ctx.checkpoint.save(state)
            raise RuntimeError("first attempt fails")
        return (restored / "weights.txt").read_text()

    assert with_folder() == "w1"


# ---- timeouts ---------------------------------------------------------------------------------------------


@task(timeout=0.5, retries=1)
def sleepy(seconds: float) -> float:
    _count("sleepy")
    time.sleep(seconds)
    return seconds


def test_timeout_is_retried_then_raises() -> None:
    with pytest.raises(TaskTimeoutError, match=r"sleepy.*timed out after 0.5s") as info:
        sleepy(seconds=3.0)
    assert isinstance(info.value, TimeoutError)
    assert CALLS["sleepy"] == 2  # the first attempt and one retry
    assert sleepy(seconds=0.0) == 0.0


# ---- cache ------------------------------------------------------------------------------------------------


@task(cache=True, cache_version="1")
def expensive(x: int) -> int:
    _count("expensive")
    return x * 10


@task(cache=True, cache_version="2")
def expensive_v2(x: int) -> int:
    _count("expensive_v2")
    return x * 10


@workflow
def cached_wf(x: int) -> int:
    return expensive(x=expensive(x=x))


def test_cache_hit_skips_body() -> None:
    events: list[Event] = []
    assert run(expensive, {"x": 2}, on_event=events.append) == 20
    assert run(expensive, {"x": 2}, on_event=events.append) == 20
    assert CALLS["expensive"] == 1
    assert [e.kind for e in events] == ["cache_put", "cache_hit"]
    assert expensive(x=3) == 30 and CALLS["expensive"] == 2  # other inputs miss


def test_cache_in_workflow_and_hit_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    assert cached_wf(x=1) == 100
    assert CALLS["expensive"] == 2
    with caplog.at_level("INFO", logger="dockyard"):
        assert cached_wf(x=1) == 100
    assert CALLS["expensive"] == 2
    assert "cache hit: task" in caplog.text


def test_overwrite_cache_and_clear() -> None:
    expensive(x=4)
    with overwriting_cache():
        expensive(x=4)
    assert CALLS["expensive"] == 2
    expensive(x=4)
    assert CALLS["expensive"] == 2  # the overwritten entry is used again
    assert cache_mod.clear() >= 1
    expensive(x=4)
    assert CALLS["expensive"] == 3


def test_cache_key_covers_version_and_interface() -> None:
    from dockyard.sdk.types import TypeEngine

    inputs = {"x": TypeEngine.to_literal(1, int)}
    k1 = cache_mod.cache_key(expensive, inputs)
    assert k1 == cache_mod.cache_key(expensive, dict(inputs))
    assert k1 != cache_mod.cache_key(expensive_v2, inputs)
    assert k1 != cache_mod.cache_key(expensive, {"x": TypeEngine.to_literal(2, int)})


def test_cache_path_comes_from_settings(tmp_path: Path) -> None:
    expensive(x=9)
    assert (tmp_path / "cache.sqlite").is_file()


# ---- secrets ----------------------------------------------------------------------------------------------


@task(secret_requests=[Secret(group="aws", key="access_key")])
def read_secret() -> str:
    return current_context().secrets.get("aws", "access_key")


def test_secret_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets_dir = tmp_path / "secrets"
    (secrets_dir / "aws").mkdir(parents=True)
    (secrets_dir / "aws" / "access_key").write_text("from-file\n")
    monkeypatch.setenv("DOCKYARD_EXECUTOR_SECRETS_DIR", str(secrets_dir))
    from dockyard.config import get_settings

    get_settings.cache_clear()
    assert read_secret() == "from-file"
    monkeypatch.setenv("AWS_ACCESS_KEY", "  from-plain-env ")
    assert read_secret() == "from-plain-env"
    monkeypatch.setenv("_FSEC_AWS_ACCESS_KEY", "from-fsec\n")
    assert read_secret() == "from-fsec"


def test_missing_secret_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKYARD_EXECUTOR_SECRETS_DIR", str(tmp_path))
    from dockyard.config import get_settings

    get_settings.cache_clear()
    with pytest.raises(SecretNotFoundError, match=r"group='aws' key='access_key'.*_FSEC_AWS_ACCESS_KEY"):
        read_secret()


# ---- context ----------------------------------------------------------------------------------------------


def test_context_outside_a_task() -> None:
    ctx = current_context()
    assert ctx.execution_id.name
    assert Path(ctx.working_directory).is_dir()
    assert is_local_execution() is False


@task
def context_info() -> list[str]:
    ctx = current_context()
    marker = Path(ctx.working_directory) / "marker"
    existed = marker.exists()
    marker.write_text("x")
    return [ctx.execution_id.name, ctx.working_directory, str(existed), str(is_local_execution())]


@workflow
def two_contexts() -> tuple[list[str], list[str]]:
    return context_info(), context_info()


def test_context_inside_tasks() -> None:
    a, b = two_contexts()
    assert a[0] == b[0] == "local"  # flytekit names every local execution `local`
    assert a[1] != b[1]  # a fresh sandbox per task
    assert a[2] == b[2] == "False"
    assert a[3] == "True"
    assert os.path.isdir(a[1])


def test_secret_forms_and_get_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKYARD_EXECUTOR_SECRETS_DIR", str(tmp_path))
    from dockyard.config import get_settings

    get_settings.cache_clear()
    (tmp_path / "db" / "v2").mkdir(parents=True)
    (tmp_path / "db" / "v2" / "password").write_text("versioned\n")
    monkeypatch.setenv("_FSEC_TOKEN", "key-only")
    ctx = current_context()
    assert ctx.secrets.get(key="token") == "key-only"
    assert ctx.secrets.get("db", "password", group_version="v2") == "versioned"
    assert ctx.secrets.get_secrets_env_var("aws", "access_key") == "_FSEC_AWS_ACCESS_KEY"
    monkeypatch.setenv("_FSEC_AWS_ACCESS_KEY", "k")
    assert ctx.get_secret("aws", "access_key") == "k"
    assert Secret(key="token").group is None and Secret.MountType.ENV_VAR is not None
    with pytest.raises(SecretNotFoundError, match="group"):
        Secret()


@task
def part(x: int) -> int:
    _count("part")
    return x + 1


def test_dynamic_outputs_are_cached() -> None:
    from dockyard import dynamic

    @dynamic(cache=True, cache_version="1")
    def parts(n: int) -> list[int]:
        _count("parts")
        return [part(x=i) for i in range(n)]

    assert parts(n=3) == [1, 2, 3] and parts(n=3) == [1, 2, 3]
    assert CALLS["parts"] == 1 and CALLS["part"] == 3


def test_watching_reports_events_of_plain_calls() -> None:
    from dockyard.sdk.local import watching

    seen: list[str] = []
    with watching(lambda e: seen.append(f"{e.kind}:{e.task.rsplit('.', 1)[-1]}")):
        expensive(x=11)
        expensive(x=11)
    expensive(x=11)
    assert seen == ["cache_put:expensive", "cache_hit:expensive"]
