"""A user transformer with async conversions (AsyncTypeTransformer) works in a local run."""

from typing import Type

from flytekit import task, workflow
from flytekit.core.type_engine import AsyncTypeTransformer, TypeEngine
from flytekit.models.literals import Literal, Primitive, Scalar
from flytekit.models.types import LiteralType, SimpleType


class Tag:
    def __init__(self, text: str):
        self.text = text


class TagTransformer(AsyncTypeTransformer[Tag]):
    def __init__(self):
        super().__init__(name="tag", t=Tag)

    def get_literal_type(self, t: Type[Tag]) -> LiteralType:
        return LiteralType(simple=SimpleType.STRING)

    async def async_to_literal(self, ctx, python_val, python_type, expected) -> Literal:
        return Literal(scalar=Scalar(primitive=Primitive(string_value=python_val.text)))

    async def async_to_python_value(self, ctx, lv, expected_python_type) -> Tag:
        return Tag(lv.scalar.primitive.string_value)


TypeEngine.register(TagTransformer())


@task
def make(text: str) -> Tag:
    return Tag(text)


@task
def shout(t: Tag) -> str:
    return t.text.upper()


@workflow
def wf(text: str) -> str:
    return shout(t=make(text=text))


print(wf(text="async"))
