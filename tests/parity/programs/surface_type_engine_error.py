"""A wrong value for a type raises TypeTransformerFailedError, which is also a TypeError."""

from flytekit import FlyteContextManager
from flytekit.core.type_engine import TypeEngine, TypeTransformerFailedError

ctx = FlyteContextManager.current_context()
try:
    TypeEngine.to_literal(ctx, "seven", int, TypeEngine.to_literal_type(int))
except TypeTransformerFailedError as exc:
    print(type(exc).__name__, isinstance(exc, TypeError), isinstance(exc, ValueError))
