"""A class with no transformer travels as a pickle between tasks."""

import logging

from flytekit import task, workflow

logging.getLogger("flytekit").setLevel(logging.ERROR)  # flytekit logs the pickle fallback on stdout


class Model:
    def __init__(self, weights: list[float]) -> None:
        self.weights = weights

    def predict(self, x: float) -> float:
        return sum(w * x for w in self.weights)


@task
def fit(n: int) -> Model:
    return Model([0.5] * n)


@task
def predict(m: Model, x: float) -> float:
    return m.predict(x)


@workflow
def wf(n: int, x: float) -> float:
    return predict(m=fit(n=n), x=x)


print(wf(n=3, x=2.0))
