"""Calling a task directly with a wrong type, caught the ways users catch it."""

from flytekit import task


@task
def half(x: float) -> float:
    return x / 2


for value in ("3", [1], None):
    try:
        half(x=value)
    except TypeError as e:
        print("TypeError", type(e).__name__)
    except ValueError as e:
        print("ValueError", type(e).__name__)
print(half(x=3.0))
half(x="3")
