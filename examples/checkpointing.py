"""Intra-task checkpointing: a training loop that is interrupted once and resumes from its checkpoint.

    dockyard run examples/checkpointing.py long_training --epochs 8 --fail_at_epoch 5

The first attempt fails after epoch 5 (a stand-in for a preempted node); `retries=3` starts a second
attempt, which reads the checkpoint and carries on from epoch 5 instead of starting over.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from dockyard import current_context, task, workflow


@dataclass
class TrainingResult:
    loss: float
    resumed_from_epoch: int
    epochs_run_in_last_attempt: int


def _problem() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 4))
    return x, x @ np.array([1.5, -2.0, 0.5, 3.0]) + rng.normal(scale=0.1, size=256)


def _one_epoch(weights: np.ndarray, x: np.ndarray, y: np.ndarray, lr: float = 0.1) -> np.ndarray:
    gradient = 2 * x.T @ (x @ weights - y) / len(y)
    return weights - lr * gradient


@task(retries=3)
def long_training(epochs: int, fail_at_epoch: int = -1) -> TrainingResult:
    """Gradient descent on least squares, checkpointed after every epoch."""
    checkpoint = current_context().checkpoint
    x, y = _problem()
    weights, start_epoch = np.zeros(4), 0
    prev = checkpoint.read()
    if prev:
        state = json.loads(prev)
        start_epoch, weights = state["epoch"], np.array(state["weights"])
    for epoch in range(start_epoch, epochs):
        weights = _one_epoch(weights, x, y)
        checkpoint.write(json.dumps({"epoch": epoch + 1, "weights": weights.tolist()}).encode())
        if epoch + 1 == fail_at_epoch and start_epoch == 0:
            raise RuntimeError(f"node preempted after epoch {epoch + 1}")
    loss = float(np.mean((x @ weights - y) ** 2))
    return TrainingResult(
        loss=loss, resumed_from_epoch=start_epoch, epochs_run_in_last_attempt=epochs - start_epoch
    )


@workflow
def resumable_training(epochs: int = 8, fail_at_epoch: int = 5) -> TrainingResult:
    return long_training(epochs=epochs, fail_at_epoch=fail_at_epoch)
