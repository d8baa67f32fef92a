"""A churn model trained on a tabular frame: the usual numpy + pandas + scikit-learn task image."""

from dockyard import ImageSpec, task, workflow

image = ImageSpec(
    name="churn-model",
    python_version="3.11",
    packages=["numpy==1.26.4", "pandas==2.2.2", "scikit-learn==1.5.1"],
    env={"OMP_NUM_THREADS": "1", "SKLEARN_SEED": "7"},
    source_root=".",
)


@task(container_image=image)
def train(rows: int) -> float:
    from churn.model import fit_and_score

    return fit_and_score(rows)


@workflow
def churn_wf(rows: int = 400) -> float:
    return train(rows=rows)
