"""A dataclass converted with the TypeEngine and back, as plugin tests do."""

from dataclasses import dataclass

from flytekit import FlyteContextManager
from flytekit.core.type_engine import TypeEngine


@dataclass
class Point:
    x: int
    y: float
    label: str = "p"


ctx = FlyteContextManager.current_context()
lt = TypeEngine.to_literal_type(Point)
lit = TypeEngine.to_literal(ctx, Point(1, 2.5), Point, lt)
print(TypeEngine.to_python_value(ctx, lit, Point))
