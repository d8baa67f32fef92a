"""A task returning the wrong type fails converting its output."""

from flytekit import task


@task
def count(xs: list[str]) -> int:
    return ",".join(xs)


try:
    count(xs=["a"])
except TypeError as e:
    print("TypeError", type(e).__name__)
