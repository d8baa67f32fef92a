"""A plain user class (no dataclass) passed between tasks, pickled as flytekit does."""

from flytekit import task, workflow


class Model:
    def __init__(self, weights):
        self.weights = weights

    def predict(self, x):
        return sum(w * x for w in self.weights)


@task
def train(n: int) -> Model:
    return Model([0.5] * n)


@task
def predict(m: Model, x: float) -> float:
    return m.predict(x)


@workflow
def wf(n: int, x: float) -> float:
    return predict(m=train(n=n), x=x)


print(wf(n=4, x=2.0))
