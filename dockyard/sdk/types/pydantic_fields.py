"""Files, folders and frames as fields of a pydantic model, as flytekit allows.

A model travels as its JSON dump (`PydanticTransformer`); such a field dumps to the same literal the type
engine makes for it as a task output (the file uploaded, the frame written), and validates back through
the engine, so the receiving task gets a lazily downloaded FlyteFile or a readable StructuredDataset.
pydantic is imported only when a model asks for the schema.
"""

from __future__ import annotations

from typing import Any


class PydanticField:
    """Mixin of the types a pydantic model may hold as a field."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source_type: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        from dockyard.sdk.types.engine import get_transformer

        def validate(value: Any) -> Any:
            if isinstance(value, source_type):
                return value
            transformer = get_transformer(source_type)
            if isinstance(value, dict):  # the dumped literal, on its way back in
                return transformer.to_python(value)
            return transformer.to_python(transformer.to_literal(value))  # a path or URI

        def serialize(value: Any, info: Any) -> Any:
            return get_transformer(source_type).to_literal(value) if info.mode == "json" else value

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(serialize, info_arg=True),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        return {"type": "object", "title": cls.__name__.split("[")[0]}
