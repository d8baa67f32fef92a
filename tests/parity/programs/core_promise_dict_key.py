"""Keys into a dict output: `out["k"]`."""

from flytekit import task, workflow


@task
def config() -> dict[str, int]:
    return {"epochs": 3, "batch": 32}


@task
def train(epochs: int, batch: int) -> str:
    return f"training {epochs} epochs of batch {batch}"


@workflow
def wf() -> str:
    c = config()
    return train(epochs=c["epochs"], batch=c["batch"])


print(wf())
