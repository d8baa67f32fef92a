"""A user-written TypeTransformer registered with the TypeEngine carries a custom type between tasks."""

from typing import Type

from flytekit import task, workflow
from flytekit.extend import TypeEngine, TypeTransformer
from flytekit.models.literals import Literal, Primitive, Scalar
from flytekit.models.types import LiteralType, SimpleType


class Money:
    def __init__(self, cents: int):
        self.cents = cents

    def __repr__(self) -> str:
        return f"Money({self.cents / 100:.2f})"


class MoneyTransformer(TypeTransformer[Money]):
    def __init__(self):
        super().__init__(name="money", t=Money)

    def get_literal_type(self, t: Type[Money]) -> LiteralType:
        return LiteralType(simple=SimpleType.INTEGER)

    def to_literal(self, ctx, python_val: Money, python_type: Type[Money], expected: LiteralType) -> Literal:
        return Literal(scalar=Scalar(primitive=Primitive(integer=python_val.cents)))

    def to_python_value(self, ctx, lv: Literal, expected_python_type: Type[Money]) -> Money:
        return Money(lv.scalar.primitive.integer)


TypeEngine.register(MoneyTransformer())


@task
def price(units: int) -> Money:
    return Money(units * 250)


@task
def with_tax(m: Money) -> Money:
    return Money(int(m.cents * 1.2))


@workflow
def wf(units: int) -> Money:
    return with_tax(m=price(units=units))


print(wf(units=3))
