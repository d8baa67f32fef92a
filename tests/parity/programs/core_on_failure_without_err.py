"""An on_failure handler that takes only the workflow's inputs."""

from flytekit import task, workflow


@task
def explode(tag: str) -> str:
    if tag:
        raise RuntimeError(f"boom {tag}")
    return tag


@task
def notify(tag: str) -> None:
    print("notify", tag)


@workflow(on_failure=notify)
def wf(tag: str) -> str:
    return explode(tag=tag)


try:
    wf(tag="x")
except RuntimeError as e:
    print("RuntimeError", str(e).splitlines())
