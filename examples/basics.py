"""The seed's core concepts: cached tasks, a workflow DSL, `>>` ordering, conditionals, enums, resources.

dockyard run examples/basics.py training_pipeline --data_path /tmp/data --epochs 2
dockyard run examples/basics.py conditional_wf --x 0.95
dockyard run examples/basics.py select_model --arch llama
dockyard run examples/basics.py gpu_task
"""

from __future__ import annotations

import enum
import hashlib

from kubernetes.client import V1Container, V1PodSpec, V1Toleration

from dockyard import PodTemplate, Resources, conditional, task, workflow
from dockyard.extras.accelerators import A100


@task(cache=True, cache_version="1", retries=3)
def preprocess(data_path: str, batch_size: int = 32) -> list[dict[str, int]]:
    """Tasks must have type-annotated inputs and outputs (here: deterministic fake records)."""
    digest = hashlib.sha256(data_path.encode()).digest()
    return [{"id": i, "value": digest[i % len(digest)]} for i in range(batch_size)]


@task
def train_model(data: list[dict[str, int]], epochs: int) -> float:
    """A 'model': the mean value, refined once per epoch."""
    mean = 0.0
    for _ in range(epochs):
        mean = sum(r["value"] for r in data) / len(data)
    return mean


@task
def evaluate(model: float) -> float:
    return round(model / 255, 4)


@workflow
def training_pipeline(data_path: str, epochs: int = 10) -> float:
    prepared = preprocess(data_path=data_path)
    model = train_model(data=prepared, epochs=epochs)
    return evaluate(model=model)


@task
def deploy_model(score: float) -> str:
    return f"deployed at {score}"


@task
def retrain_model(score: float) -> str:
    return f"retraining from {score}"


@workflow
def conditional_wf(x: float) -> str:
    return (
        conditional("check_threshold").if_(x > 0.9, then=deploy_model(score=x)).else_(retrain_model(score=x))
    )


class ModelArch(enum.Enum):
    BERT = "bert"
    GPT = "gpt"
    LLAMA = "llama"


@task
def select_model(arch: ModelArch) -> str:
    return arch.value


@task
def create_bucket() -> None:
    pass


@task
def upload() -> str:
    return "uploaded"


@workflow
def ordered() -> str:
    """`>>` orders tasks that share no data."""
    made = create_bucket()
    done = upload()
    made >> done
    return done


gpu_pod = PodTemplate(
    pod_spec=V1PodSpec(
        tolerations=[V1Toleration(key="nvidia.com/gpu", operator="Exists", effect="NoSchedule")],
        node_selector={"gpu-type": "a100"},
        containers=[V1Container(name="primary")],
    )
)


@task(
    pod_template=gpu_pod,
    requests=Resources(cpu="4", mem="16Gi", gpu="1", ephemeral_storage="50Gi"),
    limits=Resources(cpu="8", mem="32Gi", gpu="1", ephemeral_storage="100Gi"),
    accelerator=A100,
)
def gpu_task() -> str:
    """Locally the GPU request is recorded, not enforced, so this runs on a laptop too."""
    return "ran without a GPU"
