"""cache=True without a version is refused at decoration with flytekit's ValueError."""

from flytekit import task

print("before")


@task(cache=True)
def f(x: int) -> int:
    return x
