"""A float where an int is expected (flytekit does not widen or narrow silently)."""

from flytekit import task


@task
def double(x: int) -> int:
    return 2 * x


print(double(x=2))
double(x=2.5)
