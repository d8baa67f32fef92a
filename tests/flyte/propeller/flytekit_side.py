"""The propeller side of the contract tests, run with flytekit 1.16.31 in its own venv.

    python flytekit_side.py write CASE PREFIX     flytekit writes CASE's inputs.pb (and input files) at PREFIX
    python flytekit_side.py check CASE PREFIX     flytekit reads PREFIX/outputs.pb (or error.pb) and compares
                                                  with running the task under flytekit; prints a JSON report
    python flytekit_side.py execute CASE PREFIX   pyflyte-execute runs CASE's task itself (the reverse test)

The task module is `pt.ptasks` (tests/flyte/propeller/ptasks.py with flytekit imports) on PYTHONPATH; S3 is
moto, reached through FLYTE_AWS_ENDPOINT and friends.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import tempfile
import typing

import pandas as pd
from flyteidl.core import dynamic_job_pb2, errors_pb2
from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.data_persistence import FileAccessProvider
from flytekit.core.type_engine import TypeEngine
from flytekit.models.literals import LiteralMap
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile
from google.protobuf import json_format
from pt import ptasks

T0 = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.timezone.utc)


def _local_file() -> str:
    path = os.path.join(tempfile.mkdtemp(), "words.txt")
    with open(path, "w") as f:
        f.write("hello propeller\n")
    return path


def _local_dir() -> str:
    path = tempfile.mkdtemp()
    for name, text in (("a.txt", "aa"), ("b.txt", "bbbb")):
        with open(os.path.join(path, name), "w") as f:
            f.write(text)
    return path


CASES: dict[str, tuple[str, typing.Callable[[], dict[str, typing.Any]]]] = {
    "primitives": (
        "primitives",
        lambda: {
            "a": 21,
            "x": 3.5,
            "s": "abc",
            "b": True,
            "t": T0,
            "d": datetime.timedelta(hours=1, seconds=3),
        },
    ),
    "collections": (
        "collections",
        lambda: {"xs": [1, 2, 3], "m": {"ab": 1.0, "c": 2.5}, "nested": [{"k": ["a", "b"]}, {}]},
    ),
    "optional_none": ("optional", lambda: {"a": None, "u": "xyz"}),
    "optional_value": ("optional", lambda: {"a": 4, "u": 3}),
    "dataclass": (
        "dataclass_task",
        lambda: {"c": ptasks.Config("cfg", ptasks.Inner([0.5, 1.5], ptasks.Color.GREEN), {"a": 1}, limit=3)},
    ),
    "enum": ("enum_task", lambda: {"c": ptasks.Color.RED}),
    "file": ("file_task", lambda: {"f": FlyteFile(_local_file())}),
    "directory": ("dir_task", lambda: {"d": FlyteDirectory(_local_dir())}),
    "dataframe": ("frame_task", lambda: {"df": pd.DataFrame({"a": [1, 2, 3], "b": [10, 20, 30]})}),
    "user_error": ("user_error", lambda: {"a": 7}),
    "recoverable_error": ("recoverable_error", lambda: {"a": 8}),
    "dynamic": ("squares", lambda: {"n": 3}),
    "map_item": ("square", lambda: {"x": [3, 4, 5]}),
    "checkpoint": ("checkpointed", lambda: {"n": 5}),
}


def _context(prefix: str) -> typing.Any:
    ctx = FlyteContextManager.current_context()
    access = FileAccessProvider(
        local_sandbox_dir=tempfile.mkdtemp(), raw_output_prefix=f"{prefix}/flytekit-raw"
    )
    return ctx.with_file_access(access).build()


def _task(case: str) -> typing.Any:
    return getattr(ptasks, CASES[case][0])


def _types(case: str) -> dict[str, typing.Any]:
    task = _task(case)
    if case == "map_item":
        return {"x": list[int]}
    return task.python_interface.inputs


def write(case: str, prefix: str) -> None:
    ctx = _context(prefix)
    with FlyteContextManager.with_context(ctx.new_builder()) as ctx:
        lm = TypeEngine.dict_to_literal_map(ctx, CASES[case][1](), _types(case))
        local = os.path.join(tempfile.mkdtemp(), "inputs.pb")
        with open(local, "wb") as f:
            f.write(lm.to_flyte_idl().SerializeToString())
        ctx.file_access.put_data(local, f"{prefix}/inputs.pb")


def _read(ctx: typing.Any, uri: str) -> bytes:
    local = os.path.join(tempfile.mkdtemp(), os.path.basename(uri))
    ctx.file_access.get_data(uri, local)
    with open(local, "rb") as f:
        return f.read()


def _plain(value: typing.Any) -> typing.Any:
    """A JSON-comparable form: file and folder contents, frames as records, datetimes as ISO text."""
    if isinstance(value, FlyteDirectory):
        root = value.download()
        return {"dir": {n: open(os.path.join(root, n)).read() for n in sorted(os.listdir(root))}}
    if isinstance(value, FlyteFile):
        return {"file": open(value.download()).read()}
    if isinstance(value, pd.DataFrame):
        return {"frame": value.to_dict(orient="list")}
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {
            "dataclass": type(value).__name__,
            **{k: _plain(getattr(value, k)) for k in value.__dataclass_fields__},
        }
    if hasattr(value, "value") and hasattr(type(value), "__members__"):
        return {"enum": value.value}
    return value


def check(case: str, prefix: str) -> dict[str, typing.Any]:
    ctx = _context(prefix)
    task = _task(case)
    with FlyteContextManager.with_context(ctx.new_builder()) as ctx:
        names = [os.path.basename(p) for p in ctx.file_access.raw_output_fs.ls(prefix.replace("s3://", ""))]
        if "error.pb" in names:
            doc = errors_pb2.ErrorDocument()
            doc.ParseFromString(_read(ctx, f"{prefix}/error.pb"))
            return {"error": json_format.MessageToDict(doc.error)}
        if "futures.pb" in names:
            spec = dynamic_job_pb2.DynamicJobSpec()
            spec.ParseFromString(_read(ctx, f"{prefix}/futures.pb"))
            return {"futures": json_format.MessageToDict(spec)}
        message = LiteralMap.from_flyte_idl(_parse_literal_map(_read(ctx, f"{prefix}/outputs.pb")))
        types = task.python_interface.outputs
        got = TypeEngine.literal_map_to_kwargs(ctx, message, types)
    kwargs = CASES[case][1]()
    if case == "map_item":
        kwargs = {"x": kwargs["x"][int(os.environ.get("CASE_INDEX", "0"))]}
    if case == "checkpoint":
        expected: typing.Any = {"o0": kwargs["n"] + int(os.environ.get("CASE_PREVIOUS", "0"))}
    else:
        result = task(**kwargs)
        names_out = list(types)
        expected = dict(zip(names_out, result if len(names_out) > 1 else [result], strict=True))
    return {"outputs": _plain(got), "expected": _plain(expected)}


def _parse_literal_map(data: bytes) -> typing.Any:
    from flyteidl.core import literals_pb2

    message = literals_pb2.LiteralMap()
    message.ParseFromString(data)
    return message


def execute(case: str, prefix: str) -> None:
    """pyflyte-execute runs the task on CASE's inputs.pb: a flytekit task's outputs for the reverse test."""
    subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "pyflyte-execute"),
            "--inputs",
            f"{prefix}/inputs.pb",
            "--output-prefix",
            f"{prefix}/flytekit-out",
            "--raw-output-data-prefix",
            f"{prefix}/flytekit-out-raw",
            "--checkpoint-path",
            f"{prefix}/flytekit-cp",
            "--prev-checkpoint",
            "",
            "--resolver",
            "flytekit.core.python_auto_container.default_task_resolver",
            "--",
            "task-module",
            "pt.ptasks",
            "task-name",
            CASES[case][0],
        ],
        check=True,
    )


if __name__ == "__main__":
    command, case_name, where = sys.argv[1:4]
    if command == "write":
        write(case_name, where)
    elif command == "check":
        print(json.dumps(check(case_name, where), sort_keys=True))
    else:
        execute(case_name, where)
