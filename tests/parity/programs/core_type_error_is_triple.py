"""A value of the wrong type raises TypeTransformerFailedError: a TypeError, AssertionError and ValueError."""

from flytekit import task
from flytekit.core.type_engine import TypeTransformerFailedError


@task
def double(x: int) -> int:
    return 2 * x


for exc_type in (TypeError, AssertionError, ValueError, TypeTransformerFailedError):
    try:
        double(x="two")
    except exc_type as e:
        print(exc_type.__name__, "caught", type(e).__name__)
