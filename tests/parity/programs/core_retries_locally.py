"""A task with retries that fails once: dockyard retries it locally, as a remote run would; flytekit
runs a task once locally and raises."""

from flytekit import task, workflow

attempts = []


@task(retries=2)
def flaky() -> int:
    attempts.append(1)
    if len(attempts) == 1:
        raise ConnectionError("transient")
    return len(attempts)


@workflow
def wf() -> int:
    return flaky()


print(wf())
