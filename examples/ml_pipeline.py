"""The seed's end-to-end ML training pipeline, with scikit-learn standing in for LLM fine-tuning.

    dockyard run examples/ml_pipeline.py training_pipeline --n_samples 400
    dockyard run examples/ml_pipeline.py deploy_or_retrain --n_samples 400 --threshold 0.85
    dockyard run examples/ml_pipeline.py training_pipeline --config '{"max_iter": 5, "c": 0.001}'

Data moves between tasks as a StructuredDataset (parquet), the model as a FlyteDirectory, the metrics
report as a FlyteFile; the training configuration is a dataclass; a conditional quality gate decides
between deploying and retraining. Resources and the accelerator are recorded, not enforced, locally.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pandas as pd

from dockyard import ImageSpec, Resources, StructuredDataset, conditional, current_context, task, workflow
from dockyard.extras.accelerators import T4
from dockyard.types.directory import FlyteDirectory
from dockyard.types.file import FlyteFile

train_image = ImageSpec(name="ml-pipeline", packages=["scikit-learn", "pandas", "pyarrow", "joblib"])

# Guarded imports: they run inside the image built for `train_image`, and in local runs.
if train_image.is_container():
    import joblib
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import train_test_split


@dataclass
class TrainConfig:
    """Hyperparameters of the stand-in model (LogisticRegression)."""

    c: float = 1.0
    max_iter: int = 200
    test_fraction: float = 0.25
    seed: int = 7


@task(container_image=train_image, requests=Resources(cpu="1", mem="1Gi"), cache=True, cache_version="1")
def prepare_data(n_samples: int, config: TrainConfig) -> StructuredDataset:
    """A synthetic binary classification set (the stand-in for `load_dataset(...)`)."""
    features, labels = make_classification(
        n_samples=n_samples, n_features=8, n_informative=5, random_state=config.seed
    )
    frame = pd.DataFrame(features, columns=[f"f{i}" for i in range(features.shape[1])])
    frame["label"] = labels
    return StructuredDataset(dataframe=frame)


@task(
    container_image=train_image,
    requests=Resources(cpu="2", mem="2Gi", gpu="1"),
    accelerator=T4,
    timeout=timedelta(minutes=30),
    interruptible=True,
)
def fine_tune(config: TrainConfig, data: StructuredDataset) -> FlyteDirectory:
    """Train on the training split and save the model with the split it was not trained on."""
    frame = data.open(pd.DataFrame).all()
    train, test = train_test_split(frame, test_size=config.test_fraction, random_state=config.seed)
    model = LogisticRegression(C=config.c, max_iter=config.max_iter)
    model.fit(train.drop(columns="label"), train["label"])
    out = Path(current_context().working_directory) / "model"
    out.mkdir()
    joblib.dump(model, out / "model.joblib")
    test.to_parquet(out / "holdout.parquet")
    return FlyteDirectory(path=str(out))


@task(container_image=train_image, requests=Resources(cpu="1", mem="1Gi"))
def evaluate(model_dir: FlyteDirectory) -> float:
    """Accuracy on the held-out split."""
    local = Path(model_dir.download())
    model = joblib.load(local / "model.joblib")
    holdout = pd.read_parquet(local / "holdout.parquet")
    return float(accuracy_score(holdout["label"], model.predict(holdout.drop(columns="label"))))


@task
def report(score: float, config: TrainConfig) -> FlyteFile[TypeVar("json")]:
    """A metrics file, the kind of artifact a registry or dashboard picks up."""
    path = Path(current_context().working_directory) / "metrics.json"
    path.write_text(json.dumps({"accuracy": score, "c": config.c, "max_iter": config.max_iter}))
    return FlyteFile(path=str(path))


@task
def deploy_model(score: float) -> str:
    return f"deployed (accuracy {score:.3f})"


@task
def retrain_model(score: float) -> str:
    return f"retraining scheduled (accuracy {score:.3f} below the gate)"


@workflow
def training_pipeline(n_samples: int = 400, config: TrainConfig = TrainConfig()) -> float:
    """Prepare, fine-tune and evaluate; returns the held-out accuracy."""
    data = prepare_data(n_samples=n_samples, config=config)
    model = fine_tune(config=config, data=data)
    return evaluate(model_dir=model)


@workflow
def pipeline_with_report(
    n_samples: int = 400, config: TrainConfig = TrainConfig()
) -> FlyteFile[TypeVar("json")]:
    """The same pipeline, ending in a metrics file."""
    score = training_pipeline(n_samples=n_samples, config=config)
    return report(score=score, config=config)


@workflow
def deploy_or_retrain(
    n_samples: int = 400, threshold: float = 0.85, config: TrainConfig = TrainConfig()
) -> str:
    """The quality gate: deploy above the threshold, retrain below it."""
    score = training_pipeline(n_samples=n_samples, config=config)
    return (
        conditional("quality_gate")
        .if_(score >= threshold)
        .then(deploy_model(score=score))
        .else_()
        .then(retrain_model(score=score))
    )
