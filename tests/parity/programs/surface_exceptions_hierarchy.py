"""flytekit's exception classes keep their bases, so users' except clauses match."""

from flytekit.exceptions.base import FlyteException
from flytekit.exceptions.system import FlyteSystemException
from flytekit.exceptions.user import (
    FlyteAssertion,
    FlyteRecoverableException,
    FlyteTypeException,
    FlyteUserException,
    FlyteValidationException,
    FlyteValueException,
)

print(issubclass(FlyteRecoverableException, FlyteUserException))
print(issubclass(FlyteAssertion, AssertionError), issubclass(FlyteValidationException, FlyteAssertion))
print(issubclass(FlyteTypeException, TypeError), issubclass(FlyteValueException, ValueError))
print(issubclass(FlyteSystemException, FlyteException), issubclass(FlyteUserException, FlyteException))
