"""Tests convert values with the TypeEngine and a context, as flytekit's own tests and plugins do."""

from flytekit import FlyteContextManager
from flytekit.core.type_engine import TypeEngine

ctx = FlyteContextManager.current_context()
for value, tp in [(3, int), ("x", str), ([1, 2], list[int]), ({"a": 1.5}, dict[str, float])]:
    lit = TypeEngine.to_literal(ctx, value, tp, TypeEngine.to_literal_type(tp))
    print(TypeEngine.to_python_value(ctx, lit, tp))
