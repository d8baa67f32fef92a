"""The surfaces other rooms use: lazy `dockyard` exports, load_entity, one-task execution, graph documents."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import dockyard
from dockyard import conditional, dynamic, map_task, task, workflow
from dockyard.sdk.entities import load_entity
from dockyard.sdk.errors import EntityNotFoundError
from dockyard.sdk.execute import run_task_literals
from dockyard.sdk.graph import Graph, from_json, to_json
from dockyard.sdk.local import run_dynamic_task, run_task
from dockyard.sdk.types import TypeEngine


@task
def double(x: int) -> int:
    return 2 * x


@task
def offset(x: int, by: int) -> int:
    return x + by


@dynamic
def doubles(n: int) -> list[int]:
    return [double(x=i) for i in range(n)]


@workflow
def everything(n: int, flag: bool) -> list[int]:
    mapped = map_task(functools.partial(offset, by=100), concurrency=2)(x=doubles(n=n))
    return conditional("pick").if_(flag.is_true()).then(mapped).else_().then(doubles(n=n))


def test_flytekit_names_are_exported_lazily() -> None:
    code = textwrap.dedent(
        """
        import sys
        from dockyard import task, workflow, dynamic, map_task, conditional, current_context, Secret
        names = ("pydantic", "pandas", "pyarrow", "docker", "boto3", "kubernetes")
        heavy = [m for m in names if m in sys.modules]
        print(",".join(heavy))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    for name in ("Resources", "LaunchPlan", "CronSchedule", "FixedRate", "Email", "Slack", "PagerDuty",
                 "ImageSpec", "PodTemplate", "HashMethod", "kwtypes", "FlyteFile", "FlyteDirectory",
                 "StructuredDataset", "WorkflowExecutionPhase"):  # fmt: skip
        assert getattr(dockyard, name) is not None, name
    assert sorted(dockyard.__all__) == sorted(dockyard._EXPORTS)
    for name in dockyard.__all__:
        assert getattr(dockyard, name) is not None, name
    with pytest.raises(AttributeError):
        dockyard.no_such_name  # noqa: B018


def test_load_entity_by_module_and_by_file(tmp_path: Path) -> None:
    assert load_entity(f"{__name__}:double") is double
    flows = tmp_path / "my_flows.py"
    flows.write_text(
        "from dockyard import task\n\n@task\ndef hello(name: str) -> str:\n    return 'hi ' + name\n"
    )
    hello = load_entity(str(flows), "hello")
    assert hello(name="yard") == "hi yard"
    assert load_entity(f"{flows}:hello") is hello
    with pytest.raises(EntityNotFoundError, match="no entity named 'nope'"):
        load_entity(str(flows), "nope")
    with pytest.raises(EntityNotFoundError, match="cannot import"):
        load_entity("no_such_module_xyz:thing")


def test_run_one_task_with_literals() -> None:
    out = run_task(double, {"x": TypeEngine.to_literal(21, int)})
    assert TypeEngine.to_python(out["o0"], int) == 42
    assert (
        TypeEngine.to_python(run_task_literals(double, {"x": TypeEngine.to_literal(2, int)})["o0"], int) == 4
    )


def test_run_one_dynamic_body_returns_a_graph() -> None:
    graph = run_dynamic_task(doubles, {"n": TypeEngine.to_literal(2, int)}, node_id="n4")
    assert isinstance(graph, Graph) and [n.id for n in graph.nodes] == ["n4-n0", "n4-n1"]
    doc = to_json(graph)
    assert doc["outputs"]["o0"] == {"list": [{"ref": ["n4-n0", "o0"]}, {"ref": ["n4-n1", "o0"]}]}
    assert isinstance(run_task_literals(doubles, {"n": TypeEngine.to_literal(1, int)}), Graph)


def test_branch_map_and_dynamic_document() -> None:
    assert everything(n=3, flag=True) == [100, 102, 104]
    assert everything(n=3, flag=False) == [0, 2, 4]
    doc = json.loads(json.dumps(to_json(everything.graph)))
    kinds = [n["kind"] for n in doc["nodes"]]
    assert kinds == ["dynamic", "map", "branch"]  # nodes made before conditional() run unconditionally
    assert doc["nodes"][2]["upstream"] == ["n1"]
    branch = doc["nodes"][2]["branch"]
    assert branch["name"] == "pick"
    first, other = branch["cases"]
    assert first["condition"]["op"] == "eq" and first["condition"]["lhs"] == {"ref": ["$inputs", "flag"]}
    assert first["nodes"] == [] and first["outputs"] == {"o0": {"ref": ["n1", "o0"]}}
    map_node = doc["nodes"][1]
    assert map_node["map"] == {"concurrency": 2, "min_success_ratio": 1.0, "bound": ["by"]}
    assert map_node["entity"] == f"{__name__}:offset"
    assert other["condition"] is None and [n["kind"] for n in other["nodes"]] == ["dynamic"]


def test_document_round_trip_runs_the_same() -> None:
    from dockyard.sdk.local import LocalTaskRunner
    from dockyard.sdk.walker import Walker

    graph = from_json(to_json(everything.graph))
    lits = {"n": TypeEngine.to_literal(2, int), "flag": TypeEngine.to_literal(True, bool)}
    out = Walker(LocalTaskRunner()).run_graph(graph, lits)
    assert TypeEngine.to_python(out["o0"], list[int]) == [100, 102]


def test_dynamic_sub_graph_document_runs_after_round_trip() -> None:
    from dockyard.sdk.local import LocalTaskRunner
    from dockyard.sdk.walker import Walker

    graph = run_dynamic_task(doubles, {"n": TypeEngine.to_literal(3, int)}, node_id="n9")
    again = from_json(json.loads(json.dumps(to_json(graph))))
    out = Walker(LocalTaskRunner()).run_graph(again, {})
    assert TypeEngine.to_python(out["o0"], list[int]) == [0, 2, 4]
