"""Entities that the `dockyard run` tests run through the CLI, one per kind of input."""
# ruff: noqa: UP045

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Optional

import pandas as pd

from dockyard import (
    CronSchedule,
    FlyteDirectory,
    FlyteFile,
    LaunchPlan,
    StructuredDataset,
    dynamic,
    map_task,
    task,
    workflow,
)


class Arch(enum.Enum):
    BERT = "bert"
    GPT = "gpt"


@dataclass
class Optim:
    name: str = "adam"
    betas: list[float] = field(default_factory=lambda: [0.9, 0.999])


@dataclass
class TrainConfig:
    learning_rate: float = 1e-4
    batch_size: int = 32
    optim: Optim = field(default_factory=Optim)


@task
def primitives(n: int, x: float, s: str, flag: bool, raw: bytes) -> dict[str, str]:
    """Echo primitives with their Python types."""
    return {
        k: f"{type(v).__name__}:{v!r}" for k, v in {"n": n, "x": x, "s": s, "flag": flag, "raw": raw}.items()
    }


@task
def when(at: datetime, every: timedelta) -> list[str]:
    return [at.isoformat(), str(every.total_seconds())]


@task
def pick(arch: Arch, maybe: Optional[int] = None) -> str:
    return f"{arch.value}:{maybe}"


@task
def configure(config: TrainConfig, sizes: list[int], weights: dict[str, float]) -> TrainConfig:
    """Scale the learning rate by the number of sizes; return the whole config."""
    config.learning_rate *= len(sizes) + sum(weights.values())
    return config


@task
def read_inputs(data_path: FlyteFile, model_dir: FlyteDirectory) -> str:
    with open(data_path) as fh:
        head = fh.read().strip()
    return f"{head}|{sorted(os.listdir(model_dir))}"


@task
def summarize(table: StructuredDataset) -> int:
    frame = table.open(pd.DataFrame).all()
    return int(frame["v"].sum())


counter_file = os.environ.get("DOCKYARD_TEST_COUNTER", "")


@task(cache=True, cache_version="1")
def cached_square(x: int) -> int:
    """Counts its real runs in a file, so the tests can tell a cache hit from a run."""
    if counter_file:
        with open(counter_file, "a") as fh:
            fh.write("run\n")
    return x * x


@task
def fail(n: int) -> int:
    raise ValueError(f"n={n} is not allowed")
    return n  # never reached: flytekit refuses a body with outputs and no `return`


@task
def square(x: int) -> int:
    return x * x


@workflow
def squares(xs: list[int]) -> list[int]:
    return map_task(square)(x=xs)


@dynamic
def fan_out(n: int) -> list[int]:
    return [square(x=i) for i in range(n)]


@task
def pair(a: int, b: str = "x") -> tuple[int, str]:
    return a, b


@workflow
def two_outputs(a: int, b: str = "x") -> tuple[int, str]:
    return pair(a=a, b=b)


@task
def stamp(run_at: datetime, label: str) -> str:
    return f"{label}@{run_at.isoformat()}"


@workflow
def stamped(run_at: datetime, label: str = "run") -> str:
    return stamp(run_at=run_at, label=label)


nightly = LaunchPlan.get_or_create(
    stamped,
    name="nightly",
    fixed_inputs={"label": "nightly"},
    schedule=CronSchedule(schedule="0 2 * * *", kickoff_time_input_arg="run_at"),
)

not_an_entity = 42
