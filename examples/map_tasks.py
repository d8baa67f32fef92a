"""`map_task`: one task over a list, in parallel, with a concurrency limit, bound inputs and a success ratio.

dockyard run examples/map_tasks.py parallel_training --configs '[{"alpha": 0.1}, {"alpha": 10.0}]'
dockyard run examples/map_tasks.py scores_for_seed --alphas '[0.01, 1.0, 100.0]'
dockyard run examples/map_tasks.py tolerant --xs '[1, 2, 3, 4, 5, 6]'
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Optional  # flytekit users write Optional; dockyard takes both spellings

import numpy as np

from dockyard import map_task, task, workflow


@dataclass
class TrainingConfig:
    alpha: float = 1.0
    seed: int = 0


def _ridge_score(alpha: float, seed: int) -> float:
    """Held-out R² of closed-form ridge regression on a small synthetic problem (numpy only)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(200, 10))
    y = x @ rng.normal(size=10) + rng.normal(scale=0.5, size=200)
    xt, yt, xv, yv = x[:150], y[:150], x[150:], y[150:]
    w = np.linalg.solve(xt.T @ xt + alpha * np.eye(10), xt.T @ yt)
    residual = yv - xv @ w
    return round(float(1 - residual @ residual / ((yv - yv.mean()) @ (yv - yv.mean()))), 4)


@task
def train_single(config: TrainingConfig) -> float:
    return _ridge_score(config.alpha, config.seed)


@workflow
def parallel_training(configs: list[TrainingConfig]) -> list[float]:
    """At most 4 items at once (e.g. a GPU quota of 4)."""
    return map_task(train_single, concurrency=4)(config=configs)


@task
def score_with(alpha: float, seed: int) -> float:
    return _ridge_score(alpha, seed)


@workflow
def scores_for_seed(alphas: list[float]) -> list[float]:
    """`functools.partial` binds the inputs that are the same for every item."""
    return map_task(functools.partial(score_with, seed=3))(alpha=alphas)


@task
def flaky(x: int) -> int:
    if x % 3 == 0:
        raise ValueError(f"item {x} failed")
    return x * 10


@workflow
def tolerant(xs: list[int]) -> list[Optional[int]]:  # noqa: UP045
    """With `min_success_ratio` below 1, failed items come back as None instead of failing the run."""
    return map_task(flaky, min_success_ratio=0.5)(x=xs)
