"""Decorators under @task keep the function's signature with functools.wraps; stacked ones run in order."""

from functools import wraps

from flytekit import task, workflow


def log_io(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        print(f"calling {fn.__name__} with {kwargs}")
        out = fn(*args, **kwargs)
        print(f"{fn.__name__} returned {out}")
        return out

    return wrapper


def validate_positive(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        out = fn(*args, **kwargs)
        if out <= 0:
            raise ValueError(f"{fn.__name__} must return a positive number, got {out}")
        return out

    return wrapper


@task
@log_io
@validate_positive
def increment(x: int) -> int:
    return x + 1


@task
@log_io
def double(x: int) -> int:
    return x * 2


@workflow
def chain(x: int) -> int:
    return double(x=increment(x=x))


print(chain(x=3))
print(list(increment.python_interface.inputs), increment.name)
try:
    chain(x=-5)
except ValueError as e:
    print("ValueError:", str(e).splitlines()[-1].strip())
