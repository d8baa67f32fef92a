"""Dataclasses decorated with dataclasses_json, or mixing in mashumaro's DataClassJSONMixin, as older
flytekit code writes them: they cross task boundaries like any dataclass."""

from dataclasses import dataclass

from dataclasses_json import dataclass_json
from flytekit import task, workflow
from mashumaro.mixins.json import DataClassJSONMixin


@dataclass_json
@dataclass
class Hyper:
    lr: float
    epochs: int


@dataclass
class Metrics(DataClassJSONMixin):
    loss: float
    hyper: Hyper


@task
def train(h: Hyper) -> Metrics:
    return Metrics(loss=h.lr / h.epochs, hyper=h)


@task
def report(m: Metrics) -> str:
    return f"{m.loss:.3f} after {m.hyper.epochs} epochs ({m.to_json()})"


@workflow
def wf(h: Hyper) -> str:
    return report(m=train(h=h))


print(wf(h=Hyper(lr=0.3, epochs=3)))
print(Hyper(lr=0.1, epochs=1).to_json())
