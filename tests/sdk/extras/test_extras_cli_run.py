"""`dockyard run` as users run it: a subprocess, inputs parsed from their types, JSON out, one-line errors."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dockyard.sdk.types.from_text import TextValueError as InputError
from dockyard.sdk.types.from_text import from_text as coerce
from dockyard.sdk.types.from_text import parse_datetime, parse_duration

ENTITIES = Path(__file__).with_name("cli_entities.py")
DOCKYARD = Path(sys.executable).with_name("dockyard")


def dockyard(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DOCKYARD), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def run_ok(*args: str, cwd: Path, env: dict[str, str] | None = None) -> object:
    out = dockyard("run", str(ENTITIES), *args, cwd=cwd, env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def run_error(*args: str, cwd: Path, code: int) -> str:
    out = dockyard("run", str(ENTITIES), *args, cwd=cwd)
    assert out.returncode == code, (out.stdout, out.stderr)
    assert out.stdout == ""
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ")
    return last


def test_primitives_are_parsed_from_their_types(tmp_path: Path) -> None:
    got = run_ok("primitives", "--n", "3", "--x", "2", "--s", "hi", "--flag", "--raw", "abc", cwd=tmp_path)
    assert got == {
        "n": "int:3",
        "x": "float:2.0",
        "s": "str:'hi'",
        "flag": "bool:True",
        "raw": "bytes:b'abc'",
    }
    got = run_ok(
        "primitives", "--n=-4", "--x", "1e-3", "--s", "", "--flag", "false", "--raw", "", cwd=tmp_path
    )
    assert got == {"n": "int:-4", "x": "float:0.001", "s": "str:''", "flag": "bool:False", "raw": "bytes:b''"}


def test_datetimes_and_durations(tmp_path: Path) -> None:
    assert run_ok("when", "--at", "2024-05-01T02:00:00Z", "--every", "1h30m", cwd=tmp_path) == [
        "2024-05-01T02:00:00+00:00",
        "5400.0",
    ]
    assert run_ok("when", "--at", "2024-05-01", "--every", "PT1H", cwd=tmp_path) == [
        "2024-05-01T00:00:00+00:00",
        "3600.0",
    ]


def test_enum_values_and_optional(tmp_path: Path) -> None:
    assert run_ok("pick", "--arch", "gpt", cwd=tmp_path) == "gpt:None"
    assert run_ok("pick", "--arch", "bert", "--maybe", "7", cwd=tmp_path) == "bert:7"
    assert run_ok("pick", "--arch", "bert", "--maybe", "none", cwd=tmp_path) == "bert:None"


def test_json_for_dataclasses_lists_and_dicts(tmp_path: Path) -> None:
    config = {"learning_rate": 0.5, "optim": {"name": "sgd", "betas": [0.5]}}
    got = run_ok(
        "configure",
        "--config",
        json.dumps(config),
        "--sizes",
        "[1, 2]",
        "--weights",
        '{"a": 1}',
        cwd=tmp_path,
    )
    assert got == {"learning_rate": 1.5, "batch_size": 32, "optim": {"name": "sgd", "betas": [0.5]}}
    (tmp_path / "config.yaml").write_text("learning_rate: 1.0\nbatch_size: 8\n")
    got = run_ok("configure", "--config", "config.yaml", "--sizes", "[]", "--weights", "{}", cwd=tmp_path)
    assert got == {"learning_rate": 0.0, "batch_size": 8, "optim": {"name": "adam", "betas": [0.9, 0.999]}}


def test_paths_for_files_directories_and_datasets(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("a,b\n")
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "weights.bin").write_bytes(b"\0")
    # flytekit's spelling and the dashed one both work
    assert (
        run_ok("read_inputs", "--data_path", "data.csv", "--model_dir", "model", cwd=tmp_path)
        == "a,b|['weights.bin']"
    )
    assert (
        run_ok("read_inputs", "--data-path", "data.csv", "--model-dir", "model", cwd=tmp_path)
        == "a,b|['weights.bin']"
    )
    pd.DataFrame({"v": [1, 2, 3]}).to_parquet(tmp_path / "table.parquet")
    assert run_ok("summarize", "--table", "table.parquet", cwd=tmp_path) == 6


def test_workflows_map_dynamic_and_multiple_outputs(tmp_path: Path) -> None:
    assert run_ok("squares", "--xs", "[1, 2, 3]", cwd=tmp_path) == [1, 4, 9]
    assert run_ok("fan_out", "--n", "4", cwd=tmp_path) == [0, 1, 4, 9]
    assert run_ok("two_outputs", "--a", "1", cwd=tmp_path) == {"o0": 1, "o1": "x"}


def test_launch_plan_with_fixed_inputs(tmp_path: Path) -> None:
    got = run_ok("nightly", "--run_at", "2024-05-01T02:00:00+00:00", cwd=tmp_path)
    assert got == "nightly@2024-05-01T02:00:00+00:00"
    last = run_error("nightly", "--run_at", "2024-05-01", "--label", "x", cwd=tmp_path, code=2)
    assert "--label" in last


def test_help_lists_inputs_types_and_defaults(tmp_path: Path) -> None:
    out = dockyard("run", str(ENTITIES), "pick", "--help", cwd=tmp_path)
    assert out.returncode == 0
    assert "Run task extras.cli_entities.pick." in out.stdout  # imported through its package
    assert "--arch ARCH" in out.stdout and "one of bert | gpt  [required]" in out.stdout
    assert "--maybe OPTIONAL[INT]" in out.stdout and "[default: null]" in out.stdout
    out = dockyard("run", str(ENTITIES), "configure", "--help", cwd=tmp_path)
    assert "Scale the learning rate" in out.stdout
    assert "--config TRAINCONFIG" in out.stdout and "--sizes LIST[INT]" in out.stdout
    out = dockyard("run", str(ENTITIES), "read_inputs", "--help", cwd=tmp_path)
    assert "--data_path, --data-path FLYTEFILE" in out.stdout
    out = dockyard("run", str(ENTITIES), "nightly", "--help", cwd=tmp_path)
    assert "launch plan nightly" in out.stdout and "--run_at" in out.stdout and "--label" not in out.stdout
    out = dockyard("run", "--help", cwd=tmp_path)
    assert out.returncode == 0 and "--overwrite-cache" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["primitives", "--n", "1.5"], "--n: expected int, got '1.5'"),
        (["primitives", "--n", "1"], "missing input --x (float)"),
        (["pick", "--arch", "llama"], "--arch: 'llama' is not one of bert, gpt"),
        (["when", "--at", "yesterday-ish", "--every", "1h"], "--at: "),
        (["when", "--at", "2024-05-01", "--every", "soon"], "--every: 'soon' is not a duration"),
        (["configure", "--config", '{"learning_rate": "fast"}', "--sizes", "[]", "--weights", "{}"],
         "--config.learning_rate: expected float, got 'fast'"),
        (["configure", "--config", '{"lr": 1}', "--sizes", "[]", "--weights", "{}"],
         "--config: TrainConfig has no field 'lr'"),
        (["configure", "--config", "{}", "--sizes", "[1, 'a']", "--weights", "{}"], "--sizes: expected JSON"),
        (["configure", "--config", "{}", "--sizes", '[1, "a"]', "--weights", "{}"],
         "--sizes[1]: expected int"),
        (["read_inputs", "--data_path", "nope.csv", "--model_dir", "."],
         "--data_path: 'nope.csv' does not exist"),
        (["pick", "--arch", "gpt", "--bogus", "1"], "No such option"),
        (["missing_entity"], "no entity named 'missing_entity'"),
        (["not_an_entity"], "'not_an_entity' is a int, not a task, workflow or launch plan"),
    ],
)  # fmt: skip
def test_bad_inputs_are_one_line_errors_with_exit_code_2(
    args: list[str], message: str, tmp_path: Path
) -> None:
    assert message in run_error(*args, cwd=tmp_path, code=2)


def test_missing_file_and_entity(tmp_path: Path) -> None:
    out = dockyard("run", "nowhere.py", "wf", cwd=tmp_path)
    assert out.returncode == 2 and out.stderr.strip() == "error: nowhere.py: no such file"
    out = dockyard("run", str(ENTITIES), cwd=tmp_path)
    assert out.returncode == 2 and "missing ENTITY" in out.stderr


def test_task_failure_exits_5_with_the_user_traceback(tmp_path: Path) -> None:
    out = dockyard("run", str(ENTITIES), "fail", "--n", "3", cwd=tmp_path)
    assert out.returncode == 5
    last = out.stderr.strip().splitlines()[-1]
    assert (
        last.startswith("error: ValueError: ")
        and "cli_entities.fail" in last
        and "n=3 is not allowed" in last
    )
    assert 'raise ValueError(f"n={n} is not allowed")' in out.stderr
    assert "dockyard/sdk/" not in out.stderr  # framework frames are trimmed


def test_cache_hits_are_visible_and_overwrite_cache_reruns(tmp_path: Path) -> None:
    counter = tmp_path / "runs.txt"
    env = {"DOCKYARD_TEST_COUNTER": str(counter)}
    first = dockyard("run", str(ENTITIES), "cached_square", "--x", "4", cwd=tmp_path, env=env)
    assert first.returncode == 0 and json.loads(first.stdout) == 16
    second = dockyard("run", str(ENTITIES), "cached_square", "--x", "4", cwd=tmp_path, env=env)
    assert (
        json.loads(second.stdout) == 16
        and "cache hit: task extras.cli_entities.cached_square" in second.stderr
    )
    assert counter.read_text().count("run") == 1
    third = dockyard(
        "run", "--overwrite-cache", str(ENTITIES), "cached_square", "--x", "4", cwd=tmp_path, env=env
    )
    assert json.loads(third.stdout) == 16 and "cache hit" not in third.stderr
    assert counter.read_text().count("run") == 2
    cleared = dockyard("cache", "clear", cwd=tmp_path)
    assert cleared.returncode == 0 and cleared.stdout.strip() == "removed 1 cached entry"
    fourth = dockyard("run", str(ENTITIES), "cached_square", "--x", "4", cwd=tmp_path, env=env)
    assert "cache hit" not in fourth.stderr and counter.read_text().count("run") == 3


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1h30m", 5400), ("90s", 90), ("1.5h", 5400), ("2d", 172800), ("1w", 604800), ("250ms", 0.25),
        ("01:30:00", 5400), ("1:30", 5400), ("45", 45), ("PT1H", 3600), ("PT1H30M", 5400), ("P1DT2H", 93600),
        ("PT0.5S", 0.5), ("-PT1M", -60), ("1h 30m", 5400),
    ],
)  # fmt: skip
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text).total_seconds() == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["soon", "1x", "P", "PT", "h1", ""])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_parse_datetime() -> None:
    assert parse_datetime("2024-05-01T02:00:00Z") == dt.datetime(2024, 5, 1, 2, tzinfo=dt.timezone.utc)
    assert parse_datetime("2024-05-01").date() == dt.date(2024, 5, 1)
    assert parse_datetime("now").tzinfo is dt.timezone.utc
    assert parse_datetime("today").hour == 0


def test_coerce_union_reports_the_path() -> None:
    assert coerce("3", int | str, "--v") == 3
    assert coerce("x", int | str, "--v") == "x"
    with pytest.raises(InputError, match=r"^--v: no type of Union\[int, float\] fits 'x'$"):
        coerce("x", int | float, "--v")


def test_to_json_renders_outputs_as_plain_json(tmp_path: Path) -> None:
    import collections
    import enum

    from dockyard import FlyteDirectory, FlyteFile, StructuredDataset
    from dockyard.cli.inputs import to_json

    class Color(enum.Enum):
        RED = "red"

    pair = collections.namedtuple("pair", ["a", "b"])
    frame = pd.DataFrame({"v": [1, 2]})
    assert to_json(pair(Color.RED, dt.timedelta(minutes=1))) == {"a": "red", "b": 60.0}
    assert to_json({"when": dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)}) == {
        "when": "2024-01-01T00:00:00+00:00"
    }
    assert to_json(b"\xff\x00") == "/wA=" and to_json(b"text") == "text"
    assert to_json(FlyteFile(path=str(tmp_path / "f.csv"))) == str(tmp_path / "f.csv")
    assert to_json(FlyteDirectory(path=str(tmp_path))) == str(tmp_path)
    assert to_json(StructuredDataset(uri="s3://bucket/table")) == "s3://bucket/table"
    assert to_json(frame) == [{"v": 1}, {"v": 2}]


def test_coerce_dataframe_from_parquet_or_csv(tmp_path: Path) -> None:
    pd.DataFrame({"v": [1, 2]}).to_parquet(tmp_path / "t.parquet")
    (tmp_path / "t.csv").write_text("v\n3\n")
    assert coerce(str(tmp_path / "t.parquet"), pd.DataFrame, "--df")["v"].tolist() == [1, 2]
    assert coerce(str(tmp_path / "t.csv"), pd.DataFrame, "--df")["v"].tolist() == [3]
    with pytest.raises(InputError, match=r"--df: 'nope\.parquet' is not a parquet or CSV file"):
        coerce("nope.parquet", pd.DataFrame, "--df")
