"""Round trips and strictness of values held in the literal itself: primitives, containers, records, enums.

flytekit users write `Optional[...]` and `Union[...]`, so these tests do too.
"""
# ruff: noqa: UP007, UP045

from __future__ import annotations

import datetime as dt
import enum
import math
import re
import typing
from dataclasses import dataclass, field
from typing import Annotated, Any, Optional, Union

import pydantic
import pytest

from dockyard.sdk.types import (
    FlytePickle,
    PickleFallbackWarning,
    TypeEngine,
    TypeTransformerFailedError,
    UnsupportedTypeError,
    check_annotation,
)


class ModelArch(enum.Enum):
    BERT = "bert"
    GPT = "gpt"


class Numbered(enum.Enum):
    ONE = 1


@dataclass
class Optimizer:
    name: str = "adam"
    betas: list[float] = field(default_factory=lambda: [0.9, 0.999])


@dataclass
class TrainingConfig:
    learning_rate: float = 1e-4
    batch_size: int = 32
    model_name: str = "bert-base-uncased"
    arch: ModelArch = ModelArch.BERT
    optimizer: Optimizer = field(default_factory=Optimizer)
    schedule: Optional[dict[str, float]] = None


class Opaque:
    """No transformer knows it (used by one test only, as the fallback warns once per type)."""

    def __init__(self, n: int) -> None:
        self.n = n


class Point(pydantic.BaseModel):
    x: int
    y: float = 0.5


def roundtrip(value: Any, python_type: Any) -> Any:
    return TypeEngine.to_python(TypeEngine.to_literal(value, python_type), python_type)


@pytest.mark.parametrize(
    ("value", "python_type"),
    [
        (3, int),
        (-(2**70), int),
        (0.25, float),
        ("héllo", str),
        (True, bool),
        (False, bool),
        (b"\x00\xffbytes", bytes),
        (dt.timedelta(days=2, seconds=5, microseconds=7), dt.timedelta),
        (dt.timedelta(microseconds=-1), dt.timedelta),
        (dt.date(2024, 2, 29), dt.date),
        (dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=dt.timezone.utc), dt.datetime),
        ([1, 2, 3], list[int]),
        ([[1.5], []], list[list[float]]),
        ({"a": 1, "b": 2}, dict[str, int]),
        ({"a": [True]}, dict[str, list[bool]]),
        ([1, 2], typing.List[int]),  # noqa: UP006 - flytekit code uses typing.List
        ({"k": "v"}, typing.Dict[str, str]),  # noqa: UP006
        (None, Optional[int]),
        (4, Optional[int]),
        (4, int | None),
        ("x", Union[int, str]),
        (7, Union[int, str]),
        (None, Union[int, str, None]),
        (ModelArch.GPT, ModelArch),
        ({"a": [1, {"b": None}]}, dict),
        ([1, "two"], list),
        (Point(x=1, y=2.0), Point),
        (TrainingConfig(), TrainingConfig),
        (TrainingConfig(learning_rate=0.5, schedule={"warmup": 0.1}), TrainingConfig),
        ([Optimizer("sgd", [])], list[Optimizer]),
    ],
)
def test_round_trip_keeps_value_and_type(value: Any, python_type: Any) -> None:
    back = roundtrip(value, python_type)
    assert back == value
    assert type(back) is type(value)


def test_nan_and_infinity_round_trip_as_json() -> None:
    from dockyard.sdk.types import literals_from_json, literals_to_json

    literals = {k: TypeEngine.to_literal(v, float) for k, v in {"n": math.nan, "i": -math.inf}.items()}
    back = literals_from_json(literals_to_json(literals))
    assert math.isnan(TypeEngine.to_python(back["n"], float))
    assert TypeEngine.to_python(back["i"], float) == -math.inf


def test_naive_datetime_is_taken_as_utc_and_comes_back_aware() -> None:
    back = roundtrip(dt.datetime(2024, 5, 1, 12, 0), dt.datetime)
    assert back == dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
    assert back.tzinfo is not None and back.utcoffset() == dt.timedelta(0)


def test_aware_datetime_is_converted_to_utc() -> None:
    paris = dt.timezone(dt.timedelta(hours=2))
    back = roundtrip(dt.datetime(2024, 5, 1, 14, 0, tzinfo=paris), dt.datetime)
    assert back == dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
    assert back.utcoffset() == dt.timedelta(0)


def test_enum_accepts_its_string_value_and_returns_the_member() -> None:
    assert roundtrip("gpt", ModelArch) is ModelArch.GPT


def test_enum_rejects_an_unknown_value() -> None:
    expected = r"^arch: expected one of ModelArch's values \['bert', 'gpt'\], got 'llama'$"
    with pytest.raises(TypeTransformerFailedError, match=expected):
        TypeEngine.to_literal("llama", ModelArch, path="arch")


def test_non_string_enum_is_rejected_at_interface_time() -> None:
    """flytekit's error and first line, where flytekit raises it (defining a task that uses the enum)."""
    with pytest.raises(
        TypeTransformerFailedError, match=r"^Only EnumTypes with value of string are supported\n"
    ):
        check_annotation(Numbered)
    with pytest.raises(TypeTransformerFailedError, match="enum Numbered"):
        TypeEngine.literal_type(list[Numbered])


@pytest.mark.parametrize(
    ("value", "python_type", "message"),
    [
        (1, float, "x: expected float, got int"),
        (True, int, "x: expected int, got bool"),
        (1, bool, "x: expected bool, got int"),
        (1.0, int, "x: expected int, got float"),
        ("1", int, "x: expected int, got str"),
        (b"x", str, "x: expected str, got bytes"),
        ((1, 2), list[int], "x: expected list[int], got tuple"),
        ("2024-01-01", dt.datetime, "x: expected datetime, got str"),
        (dt.datetime(2024, 1, 1), dt.date, "x: expected date, got datetime"),
        (3, dt.timedelta, "x: expected timedelta, got int"),
        (1.5, Optional[int], "x: expected Optional[int], got float"),
        (1.5, Union[int, str], "x: expected Union[int, str], got float"),
        (None, int, "x: expected int, got NoneType"),
        (3, ModelArch, "x: expected ModelArch, got int"),
        ({"x": "one"}, Point, "x.x: Point: Input should be a valid integer"),
    ],
)
def test_strictness(value: Any, python_type: Any, message: str) -> None:
    with pytest.raises(TypeTransformerFailedError, match="^" + re.escape(message)):
        TypeEngine.to_literal(value, python_type, path="x")


def test_conversion_error_is_a_type_error_and_a_dockyard_error() -> None:
    from dockyard.errors import DockyardError

    with pytest.raises(TypeError) as info:
        TypeEngine.to_literal("1", float)
    assert isinstance(info.value, DockyardError)
    assert str(info.value) == "expected float, got str"


def test_error_path_goes_through_dataclass_fields() -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        TypeEngine.to_literal(TrainingConfig(learning_rate="0.1"), TrainingConfig, path="config")  # type: ignore[arg-type]
    assert str(info.value) == "config.learning_rate: expected float, got str"


def test_error_path_goes_through_nested_records_lists_and_maps() -> None:
    config = TrainingConfig(optimizer=Optimizer(betas=[0.9, 1]))
    with pytest.raises(TypeTransformerFailedError) as info:
        TypeEngine.to_literal(config, TrainingConfig, path="config")
    assert str(info.value) == "config.optimizer.betas[1]: expected float, got int"
    config = TrainingConfig(schedule={"warmup": "fast"})  # type: ignore[dict-item]
    with pytest.raises(TypeTransformerFailedError) as info:
        TypeEngine.to_literal(config, TrainingConfig, path="config")
    assert str(info.value) == "config.schedule['warmup']: expected float, got str"


def test_error_path_of_list_index_and_dict_key() -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"^xs\[3\]: expected int, got str$"):
        TypeEngine.to_literal([0, 1, 2, "3"], list[int], path="xs")
    with pytest.raises(TypeTransformerFailedError, match=r"^d\['k'\]\[0\]: expected str, got int$"):
        TypeEngine.to_literal({"ok": ["a"], "k": [1]}, dict[str, list[str]], path="d")


def test_dict_str_keys_must_be_strings() -> None:
    with pytest.raises(TypeTransformerFailedError, match="expected str keys"):
        TypeEngine.to_literal({1: 2}, dict[str, int])


def test_dicts_with_other_keys_keep_key_types_and_order() -> None:
    value = {3: "c", 1: "a"}
    literal = TypeEngine.to_literal(value, dict[int, str])
    assert literal == {"dict": [[{"int": 3}, {"str": "c"}], [{"int": 1}, {"str": "a"}]]}
    back = roundtrip(value, dict[int, str])
    assert back == value and list(back) == [3, 1]
    assert roundtrip({1.5: [True]}, dict[float, list[bool]]) == {1.5: [True]}
    with pytest.raises(TypeTransformerFailedError, match=r"^d\[2\]: expected str, got int$"):
        TypeEngine.to_literal({2: 5}, dict[int, str], path="d")
    assert TypeEngine.literal_type(dict[int, str]) == {
        "dict": {"key": {"simple": "int"}, "value": {"simple": "str"}}
    }


def test_dataclass_accepts_a_dict_and_fills_defaults() -> None:
    back = roundtrip({"learning_rate": 0.5, "arch": "gpt"}, TrainingConfig)
    assert back == TrainingConfig(learning_rate=0.5, arch=ModelArch.GPT)
    with pytest.raises(TypeTransformerFailedError, match=r"^config: TrainingConfig has no field 'lr'$"):
        TypeEngine.to_literal({"lr": 0.5}, TrainingConfig, path="config")


def test_dataclass_literal_missing_a_field_takes_the_default() -> None:
    literal = TypeEngine.to_literal(TrainingConfig(), TrainingConfig)
    del literal["record"]["batch_size"]
    assert TypeEngine.to_python(literal, TrainingConfig).batch_size == 32


def test_to_python_reports_literal_mismatch_with_path() -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"^y: expected int, got str literal$"):
        TypeEngine.to_python({"str": "1"}, int, path="y")
    literal = TypeEngine.to_literal([1, 2], list[int])
    with pytest.raises(TypeTransformerFailedError, match=r"^y\[0\]: expected str, got int literal$"):
        TypeEngine.to_python(literal, list[str], path="y")


def test_int_literal_widens_to_float_on_the_way_back() -> None:
    assert TypeEngine.to_python(TypeEngine.to_literal(3, int), float) == 3.0


def test_optional_literal_is_interchangeable_with_the_plain_one() -> None:
    assert TypeEngine.to_literal(5, Optional[int]) == TypeEngine.to_literal(5, int)


def test_union_tags_the_variant() -> None:
    literal = TypeEngine.to_literal(1.5, Union[int, float])
    assert literal == {"union": {"tag": "float", "value": {"float": 1.5}}}
    assert TypeEngine.to_python(literal, Union[float, int]) == 1.5


def test_types_without_transformer_fall_back_to_pickle_with_a_warning() -> None:
    with pytest.warns(PickleFallbackWarning, match="Opaque"):
        literal = TypeEngine.to_literal(Opaque(4), Opaque)
    assert set(literal) == {"pickle"}
    # the warning fires once per type: the transformer is cached
    back = TypeEngine.to_python(literal, Opaque)
    assert isinstance(back, Opaque) and back.n == 4


def test_any_and_flytepickle_travel_as_pickle() -> None:
    assert roundtrip({1, 2}, Any) == {1, 2}
    assert roundtrip((1, "a"), FlytePickle) == (1, "a")


def test_large_pickles_are_stored_outside_the_literal(tmp_path: Any) -> None:
    from dockyard.sdk.types import use_raw_output_dir

    with use_raw_output_dir(tmp_path):
        big = TypeEngine.to_literal(set(range(50_000)), Any)
        assert "uri" in big["pickle"] and big["pickle"]["uri"].startswith(str(tmp_path))
        assert TypeEngine.to_python(big, Any) == set(range(50_000))


def test_hash_method_sets_the_literal_hash() -> None:
    from dockyard.sdk.types import HashMethod

    calls: list[int] = []

    def first_digit(value: int) -> str:
        calls.append(value)
        return str(value)[0]

    hinted = Annotated[int, HashMethod(first_digit)]
    literal = TypeEngine.to_literal(123, hinted)
    assert literal == {"int": 123, "hash": "1"}
    assert TypeEngine.to_python(literal, hinted) == 123
    assert calls == [123]


def test_unannotatable_things_are_rejected() -> None:
    import inspect

    with pytest.raises(UnsupportedTypeError, match="missing type annotation"):
        check_annotation(inspect.Parameter.empty)
    with pytest.raises(UnsupportedTypeError, match="forward reference"):
        check_annotation("Undefined")
    with pytest.raises(UnsupportedTypeError, match="not a type"):
        check_annotation(3)
    with pytest.raises(UnsupportedTypeError, match="type variable"):
        check_annotation(typing.TypeVar("T"))


def test_literal_types_describe_the_interface() -> None:
    assert TypeEngine.literal_type(int) == {"simple": "int"}
    assert TypeEngine.literal_type(Optional[list[str]]) == {
        "union": [{"list": {"simple": "str"}}, {"simple": "none"}]
    }
    assert TypeEngine.literal_type(ModelArch) == {"enum": {"name": "ModelArch", "values": ["bert", "gpt"]}}
    record = TypeEngine.literal_type(Optimizer)["record"]
    assert record == {
        "name": "Optimizer",
        "fields": {"name": {"simple": "str"}, "betas": {"list": {"simple": "float"}}},
    }


def test_castable_follows_flytekit_compile_rules() -> None:
    from dockyard.sdk.types import FlyteDirectory, FlyteFile, StructuredDataset, kwtypes

    castable = TypeEngine.is_castable
    assert castable(int, int) and not castable(int, float) and not castable(bool, int)
    assert castable(int, Optional[int]) and not castable(Optional[int], int)
    assert castable(str, Union[int, str])
    assert castable(list[int], list[Optional[int]]) and not castable(list[int], list[str])
    assert castable(FlyteFile["csv"], FlyteFile) and castable(FlyteFile, FlyteFile["csv"])
    assert not castable(FlyteFile["csv"], FlyteFile["onnx"])
    assert not castable(FlyteFile, FlyteDirectory)
    wide = Annotated[StructuredDataset, kwtypes(a=int, b=str)]
    narrow = Annotated[StructuredDataset, kwtypes(a=int)]
    assert castable(wide, narrow) and castable(StructuredDataset, narrow)
    assert castable(wide, StructuredDataset)
    assert not castable(narrow, Annotated[StructuredDataset, kwtypes(a=str)])
    assert castable(TrainingConfig, TrainingConfig) and not castable(TrainingConfig, Optimizer)


def test_numpy_arrays_travel_as_npy_files_hashed_by_content(tmp_path: Any) -> None:
    import numpy as np

    from dockyard.sdk.types import hash_literals, use_raw_output_dir

    array = np.arange(12, dtype=np.float32).reshape(3, 4)
    with use_raw_output_dir(tmp_path):
        literal = TypeEngine.to_literal(array, np.ndarray)
        assert literal["blob"]["format"] == "NumpyArray" and literal["blob"]["uri"].endswith(".npy")
        back = TypeEngine.to_python(literal, np.ndarray)
        assert back.dtype == np.float32 and np.array_equal(back, array)
        again = TypeEngine.to_literal(array.copy(), np.ndarray)
        assert hash_literals({"a": again}) == hash_literals({"a": literal})
        other = TypeEngine.to_literal(array.astype(np.float64), np.ndarray)
        assert hash_literals({"a": other}) != hash_literals({"a": literal})
    with pytest.raises(TypeTransformerFailedError, match=r"^a: expected ndarray, got list$"):
        TypeEngine.to_literal([1.0], np.ndarray, path="a")


@dataclass
class TreeNode:
    label: str
    children: list[TreeNode] = field(default_factory=list)


def test_self_referencing_dataclass() -> None:
    tree = TreeNode("root", [TreeNode("leaf")])
    assert roundtrip(tree, TreeNode) == tree
    described = TypeEngine.literal_type(TreeNode)["record"]
    assert described["fields"]["children"] == {"list": {"record": {"name": "TreeNode"}}}


def test_typing_literal_of_strings() -> None:
    mode = typing.Literal["train", "eval"]
    assert roundtrip("eval", mode) == "eval"
    with pytest.raises(
        TypeTransformerFailedError, match=r"^m: expected one of \['train', 'eval'\], got 'test'$"
    ):
        TypeEngine.to_literal("test", mode, path="m")
    with pytest.raises(UnsupportedTypeError, match="only string values"):
        check_annotation(typing.Literal[1, 2])
