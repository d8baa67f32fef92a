"""A dynamic hyperparameter search: the number of training runs depends on the input, so the DAG is
built at run time with `@dynamic`.

    dockyard run examples/hyperparameter_search.py search --learning_rates '[0.001, 0.01, 0.1, 0.5]'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dockyard import dynamic, task, workflow


@dataclass
class TrainingConfig:
    learning_rate: float = 0.01
    epochs: int = 50


@task
def make_configs(learning_rates: list[float], epochs: int) -> list[TrainingConfig]:
    return [TrainingConfig(learning_rate=lr, epochs=epochs) for lr in learning_rates]


@task
def train_and_eval(config: TrainingConfig) -> float:
    """Logistic regression by gradient descent (numpy); returns the negative log-loss (higher is better)."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 5))
    y = (x @ np.array([1.0, -1.0, 2.0, 0.0, 0.5]) > 0).astype(float)
    w = np.zeros(5)
    for _ in range(config.epochs):
        p = 1 / (1 + np.exp(-(x @ w)))
        w -= config.learning_rate * x.T @ (p - y) / len(y)
    p = np.clip(1 / (1 + np.exp(-(x @ w))), 1e-9, 1 - 1e-9)
    return round(float(np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))), 4)


@dynamic
def hyperparameter_search(configs: list[TrainingConfig]) -> list[float]:
    results = []
    for cfg in configs:
        score = train_and_eval(config=cfg)
        results.append(score)
    return results


@task
def pick_best(configs: list[TrainingConfig], scores: list[float]) -> TrainingConfig:
    return max(zip(scores, configs, strict=True), key=lambda pair: pair[0])[1]


@workflow
def search(learning_rates: list[float] = [0.001, 0.01, 0.1, 0.5], epochs: int = 50) -> TrainingConfig:  # noqa: B006
    configs = make_configs(learning_rates=learning_rates, epochs=epochs)
    scores = hyperparameter_search(configs=configs)
    return pick_best(configs=configs, scores=scores)
