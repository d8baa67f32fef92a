"""Python values flytekit coerces or refuses: int to float input, bool to int, float to int."""

from flytekit import task


@task
def as_float(x: float) -> float:
    return x


@task
def as_int(x: int) -> int:
    return x


for fn, value in ((as_float, 3), (as_int, True), (as_int, 2.0), (as_float, True)):
    try:
        print(fn.name.split(".")[-1], repr(fn(x=value)))
    except Exception as e:
        print(fn.name.split(".")[-1], type(e).__name__)
