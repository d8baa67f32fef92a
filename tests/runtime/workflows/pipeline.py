"""The seed's ML pipeline shape, small and real: prepare → train → evaluate → quality gate.

Every task runs in a container of `ml_image`; values cross as a StructuredDataset (parquet), a FlyteFile
(csv), a FlyteDirectory (the model) and a dataclass config.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from dockyard import (
    FlyteDirectory,
    FlyteFile,
    ImageSpec,
    StructuredDataset,
    conditional,
    current_context,
    task,
    workflow,
)

ml_image = ImageSpec(name="dockyard-test-ml", registry="localhost:5000", packages=["pandas", "pyarrow"])


@dataclass
class TrainConfig:
    epochs: int = 200
    learning_rate: float = 0.05


@task(container_image=ml_image)
def prepare(rows: int) -> StructuredDataset:
    import pandas as pd

    xs = [i / rows for i in range(rows)]
    return StructuredDataset(dataframe=pd.DataFrame({"x": xs, "y": [3.0 * x + 1.0 for x in xs]}))


@task(container_image=ml_image)
def to_csv(data: StructuredDataset) -> FlyteFile:
    import pandas as pd

    frame = data.open(pd.DataFrame).all()
    path = Path(current_context().working_directory) / "train.csv"
    frame.to_csv(path, index=False)
    return FlyteFile(str(path))


@task(container_image=ml_image)
def train(config: TrainConfig, dataset: FlyteFile) -> FlyteDirectory:
    import pandas as pd

    frame = pd.read_csv(dataset.download())
    w = b = 0.0
    n = len(frame)
    for _ in range(config.epochs):
        err = (w * frame.x + b) - frame.y
        w -= config.learning_rate * 2 * float((err * frame.x).sum()) / n
        b -= config.learning_rate * 2 * float(err.sum()) / n
    out = Path(current_context().working_directory) / "model"
    out.mkdir()
    (out / "weights.json").write_text(json.dumps({"w": w, "b": b}))
    (out / "config.json").write_text(json.dumps({"epochs": config.epochs, "lr": config.learning_rate}))
    return FlyteDirectory(path=str(out))


@task(container_image=ml_image)
def evaluate(model: FlyteDirectory, data: StructuredDataset) -> float:
    import pandas as pd

    weights = json.loads((Path(model.download()) / "weights.json").read_text())
    frame = data.open(pd.DataFrame).all()
    pred = weights["w"] * frame.x + weights["b"]
    ss_res = float(((frame.y - pred) ** 2).sum())
    ss_tot = float(((frame.y - frame.y.mean()) ** 2).sum())
    return 1.0 - ss_res / ss_tot


@task(container_image=ml_image)
def publish(score: float) -> str:
    return f"published r2={score:.3f}"


@task(container_image=ml_image)
def reject(score: float) -> str:
    return f"rejected r2={score:.3f}"


@workflow
def training_pipeline(rows: int, config: TrainConfig, threshold: float) -> str:
    data = prepare(rows=rows)
    model = train(config=config, dataset=to_csv(data=data))
    score = evaluate(model=model, data=data)
    return (
        conditional("quality_gate")
        .if_(score >= threshold)
        .then(publish(score=score))
        .else_()
        .then(reject(score=score))
    )
