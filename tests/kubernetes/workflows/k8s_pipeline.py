"""A workflow for the Kubernetes dry runs: every task names an image pinned by digest (nothing to build),
with a map task, a conditional, a sub-workflow and a dynamic task, so every kind of node shows up."""

from __future__ import annotations

from dockyard import Resources, Secret, conditional, dynamic, map_task, task, workflow

TRAIN = "registry.example.com/ml/train@sha256:" + "ab" * 32
SLIM = "registry.example.com/ml/slim@sha256:" + "cd" * 32


@task(container_image=SLIM)
def prepare(n: int) -> list[int]:
    return list(range(n))


@task(container_image=SLIM)
def square(x: int) -> int:
    return x * x


@task(
    container_image=TRAIN,
    requests=Resources(cpu="4", mem="16Gi", gpu="1"),
    limits=Resources(mem="32Gi"),
    retries=2,
    timeout=3600,
    interruptible=True,
    secret_requests=[Secret(group="wandb", key="api_key")],
)
def train(values: list[int]) -> float:
    return float(sum(values))


@task(container_image=SLIM)
def report(score: float) -> str:
    return f"score {score}"


@dynamic(container_image=SLIM)
def fan_out(n: int) -> list[int]:
    return [square(x=i) for i in range(n)]


@workflow
def evaluate(score: float) -> str:
    return report(score=score)


@workflow
def pipeline(n: int = 3) -> str:
    values = map_task(square)(x=prepare(n=n))
    score = train(values=values)
    fan_out(n=n)
    checked = conditional("good").if_(score > 1.0).then(evaluate(score=score)).else_().then(report(score=0.0))
    return checked
