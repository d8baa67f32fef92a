"""new_context() makes a context current for a block; TypeEngine conversions work inside it."""

from flytekit import FlyteContextManager, new_context
from flytekit.core.type_engine import TypeEngine

with new_context() as ctx:
    print(type(ctx).__name__)
    print(ctx is FlyteContextManager.current_context())
    literal = TypeEngine.to_literal(ctx, [1, 2, 3], list[int], TypeEngine.to_literal_type(list[int]))
    print(TypeEngine.to_python_value(ctx, literal, list[int]))
print(FlyteContextManager.current_context() is not None)
