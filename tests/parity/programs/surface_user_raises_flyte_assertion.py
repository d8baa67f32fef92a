"""User code raises flytekit's exceptions; the caller sees their type."""

from flytekit import task
from flytekit.exceptions.user import FlyteAssertion, FlyteValueException


@task
def validate(x: int) -> int:
    if x < 0:
        raise FlyteValueException(x, "must not be negative")
    return x


try:
    validate(x=-1)
except FlyteValueException as exc:
    print("caught", type(exc).__name__, isinstance(exc, ValueError))
print(issubclass(FlyteAssertion, AssertionError))
