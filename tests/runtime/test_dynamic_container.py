"""Dynamic and map items inside containers: the sub-DAG document round trip (typed conversions kept), the
entrypoint's resolvers (module:name, `--map-index`, `--dynamic-node`), the task options that reach a
`TaskAttempt`, and a dynamic body that runs in its own image on the real Docker engine."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from dockyard.config import Settings, get_settings, load_settings
from dockyard.runtime.blobstore import LocalStore, open_store
from dockyard.runtime.bundle import upload_bundle
from dockyard.runtime.entrypoint import EXIT_SYSTEM, Args, parse_args, run
from dockyard.runtime.phase import Phase
from dockyard.runtime.protocol import DYNAMIC, ERROR, OUTPUTS, AttemptPaths, ErrorDocument
from dockyard.sdk.entities import load_entity
from dockyard.sdk.graph import Ref, from_json, to_json
from dockyard.sdk.local import LocalTaskRunner, run_dynamic_task
from dockyard.sdk.types.literal import literals_from_json, literals_to_json
from dockyard.sdk.walker import Walker

WORKFLOWS = Path(__file__).parent / "workflows"
EXPECTED = ["int:0+0@driver", "int:2+2@driver", "int:4+4@driver"]


@pytest.fixture
def subdag(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(sys, "path", [str(WORKFLOWS), *sys.path])
    sys.modules.pop("subdag", None)
    import subdag as module

    yield module
    sys.modules.pop("subdag", None)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalStore:
    monkeypatch.setenv("DOCKYARD_STORE_URL", f"file://{tmp_path}/store")
    monkeypatch.setenv("DOCKYARD_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    monkeypatch.chdir(tmp_path)  # the entrypoint changes into the unpacked bundle
    monkeypatch.setattr(sys, "path", list(sys.path))
    get_settings.cache_clear()
    for name in ("subdag", "faults"):
        sys.modules.pop(name, None)
    return LocalStore(f"file://{tmp_path}/store")


def bundle(store: LocalStore, tmp_path: Path) -> str:
    src = tmp_path / "src"
    shutil.copytree(WORKFLOWS, src, ignore=shutil.ignore_patterns("__pycache__"))
    return upload_bundle(src, store)


def inputs(store: LocalStore, **literals: Any) -> str:
    return store.write_bytes(store.url_for("in.json"), literals_to_json(literals).encode())


# ---- the sub-DAG document ---------------------------------------------------------------------------------


def test_sub_dag_document_keeps_the_conversions(subdag: Any) -> None:
    """A Union input fed by an int needs its tag added: the rebuilt graph converts as the traced one."""
    graph = run_dynamic_task(subdag.spread, {"n": {"int": 3}}, node_id="n1")
    doc = json.loads(json.dumps(to_json(graph)))  # through text, as it travels
    describe = next(n for n in doc["nodes"] if n["entity"].endswith(":describe"))
    assert describe["id"].startswith("n1-")
    assert describe["inputs"]["v"]["convert_to"] == {"union": [{"simple": "int"}, {"simple": "str"}]}
    rebuilt = from_json(doc, output_types=dict(subdag.spread.interface.outputs))
    v = next(n for n in rebuilt.nodes if n.id == describe["id"]).inputs["v"]
    assert isinstance(v, Ref) and v.convert_to == subdag.describe.interface.inputs["v"]
    walker = Walker(LocalTaskRunner())
    out = walker.run_graph(rebuilt, {})
    assert out == walker.run_graph(graph, {})
    assert out["o0"]["list"][1] == {"str": "int:2+2@driver"}


def test_workflow_document_types_its_inputs_refs(subdag: Any) -> None:
    from dockyard.errors import ConfigError

    wf = subdag.optional_wf
    doc = json.loads(json.dumps(to_json(wf.graph)))
    assert doc["nodes"][0]["inputs"]["extra"]["convert_to"] == {
        "union": [{"simple": "int"}, {"simple": "none"}]
    }
    rebuilt = from_json(doc, input_types=dict(wf.interface.inputs), output_types=dict(wf.interface.outputs))
    walker = Walker(LocalTaskRunner())
    assert walker.run_graph(rebuilt, {"x": {"int": 4}}) == {"o0": {"str": "str:a+4@wf"}}
    with pytest.raises(ConfigError, match="input 'extra'"):
        from_json(doc)  # the input's Python type is not given


def test_sub_dag_document_refuses_types_the_code_no_longer_has(subdag: Any) -> None:
    from dockyard.errors import ConfigError

    doc = to_json(run_dynamic_task(subdag.spread, {"n": {"int": 1}}, node_id="n1"))
    describe = next(n for n in doc["nodes"] if n["entity"].endswith(":describe"))
    describe["inputs"]["v"]["convert_to"] = {"union": [{"simple": "int"}, {"simple": "bytes"}]}
    with pytest.raises(ConfigError, match="input 'v'"):
        from_json(doc)


# ---- the entrypoint's resolvers ---------------------------------------------------------------------------


def test_dynamic_task_leaves_its_sub_dag_not_outputs(store: LocalStore, tmp_path: Path) -> None:
    out = store.url_for("out")
    args = Args(
        inputs(store, n={"int": 2}), out, "subdag:spread", bundle=bundle(store, tmp_path), node_id="n4"
    )
    assert run(args) == 0
    assert not store.exists(f"{out}/{OUTPUTS}") and not store.exists(f"{out}/{ERROR}")
    doc = store.read_json(f"{out}/{DYNAMIC}")
    assert doc["schema"] == "dockyard.graph/v1"
    assert {n["id"] for n in doc["nodes"]} == {f"n4-n{i}" for i in range(6)}  # double, double, describe
    graph = from_json(doc, output_types={"o0": list[str]})
    assert Walker(LocalTaskRunner()).run_graph(graph, {}) == {
        "o0": {"list": [{"str": "int:0+0@driver"}, {"str": "int:2+2@driver"}]}
    }


def test_dynamic_node_runs_the_task_its_document_names(store: LocalStore, tmp_path: Path) -> None:
    code = bundle(store, tmp_path)
    sub = store.url_for("sub")
    assert run(Args(inputs(store, n={"int": 1}), sub, "subdag:spread", bundle=code, node_id="n2")) == 0
    graph_uri = f"{sub}/{DYNAMIC}"
    out = store.url_for("node")
    argv = ["--inputs", inputs(store, x={"int": 21}), "--output-prefix", out, "--bundle", code]
    args = parse_args([*argv, "--dynamic-graph", graph_uri, "--dynamic-node", "n2-n0"])
    assert args.task == "" and args.dynamic_node == "n2-n0"
    assert run(args) == 0
    assert literals_from_json(store.read_bytes(f"{out}/{OUTPUTS}").decode()) == {"o0": {"int": 42}}
    missing = store.url_for("missing")
    args = Args(args.inputs, missing, "", bundle=code, dynamic_graph=graph_uri, dynamic_node="n2-n9")
    assert run(args) == EXIT_SYSTEM
    doc = ErrorDocument.model_validate(store.read_json(f"{missing}/{ERROR}"))
    assert not doc.retryable and "n2-n9" in doc.message


def test_a_sub_dag_document_is_parsed_once_per_content(store: LocalStore, tmp_path: Path) -> None:
    """A warm process resolves many nodes of one document: parsed once, and again when its bytes change."""
    from dockyard.runtime import entrypoint

    uri = store.url_for("graph.json")
    node = {"id": "n1-n0", "entity": "m:first", "kind": "task"}
    store.write_json(uri, {"schema": "dockyard.graph/v1", "nodes": [node]})
    args = Args("file:///i", "file:///o", "", dynamic_graph=uri, dynamic_node="n1-n0")
    assert entrypoint.task_ref(args, store) == "m:first"
    parsed = entrypoint._GRAPHS[uri]
    assert entrypoint.task_ref(args, store) == "m:first" and entrypoint._GRAPHS[uri] is parsed
    store.write_json(uri, {"schema": "dockyard.graph/v1", "nodes": [{**node, "entity": "m:second"}]})
    assert entrypoint.task_ref(args, store) == "m:second"


def test_a_resolver_is_required() -> None:
    with pytest.raises(SystemExit):
        parse_args(["--inputs", "file:///i", "--output-prefix", "file:///o"])


def test_map_index_runs_one_item_with_bound_inputs_shared(store: LocalStore, tmp_path: Path) -> None:
    code = bundle(store, tmp_path)
    literals = {
        "v": {
            "list": [
                {"union": {"tag": "int", "value": {"int": 7}}},
                {"union": {"tag": "str", "value": {"str": "b"}}},
            ]
        },
        "where": {"str": "here"},
        "extra": {"list": [{"int": 1}, {"none": None}]},
    }
    doc = inputs(store, **literals)
    for index, expected in ((0, "int:7+1@here"), (1, "str:b+None@here")):
        out = store.url_for("item", str(index))
        args = Args(doc, out, "subdag:describe", bundle=code, map_index=index, map_bound="where")
        assert run(args) == 0
        assert literals_from_json(store.read_bytes(f"{out}/{OUTPUTS}").decode()) == {"o0": {"str": expected}}
    out = store.url_for("item", "9")
    assert run(Args(doc, out, "subdag:describe", bundle=code, map_index=9, map_bound="where")) == EXIT_SYSTEM
    error = ErrorDocument.model_validate(store.read_json(f"{out}/{ERROR}"))
    assert not error.retryable and "--map-index 9" in error.message


# ---- TaskAttempt fields -----------------------------------------------------------------------------------


def test_task_options_reach_the_attempt_and_the_pod(tmp_path: Path) -> None:
    from kubernetes.client import V1Container, V1PodSpec, V1Toleration

    from dockyard import ImageSpec, PodTemplate, Resources, task
    from dockyard.extras.accelerators import A100, T4
    from dockyard.kubernetes.task_pod import task_pod
    from dockyard.runtime.orchestrator import image_key, task_attempt

    template = PodTemplate(
        pod_spec=V1PodSpec(
            containers=[V1Container(name="primary", env=[])],
            tolerations=[V1Toleration(key="team", value="ml", effect="NoSchedule")],
        ),
        labels={"team": "ml"},
    )
    gpu_image = ImageSpec(name="gpu", registry="localhost:5000", cuda="12.4", cuda_strategy="wheels")

    @task(
        container_image=gpu_image,
        accelerator=T4,
        pod_template=template,
        interruptible=True,
        requests=Resources(cpu="1", mem="1Gi"),
        limits=Resources(cpu="2", mem="2Gi", gpu="1"),
    )
    def train() -> None: ...

    @task(accelerator=A100.partition_1g_5gb)
    def small() -> None: ...

    store = open_store(f"file://{tmp_path}/store")
    images = {image_key(train): "localhost:5000/gpu@sha256:" + "a" * 64, "default": "img@sha256:" + "b" * 64}
    common = {"execution_id": "x1", "images": images, "bundle_uri": None, "env": {}, "secrets": ()}
    attempt = task_attempt(train, AttemptPaths(store, "x1", "n0", 0), node_id="n0", **common)
    assert attempt.accelerator == "nvidia-tesla-t4"
    assert attempt.interruptible is True
    assert attempt.requests == {"cpu": "1", "mem": "1Gi"}
    assert attempt.limits == {"cpu": "2", "mem": "2Gi", "gpu": "1"}
    assert attempt.pod_template == template.to_dict()
    assert attempt.min_driver_version  # from the image's CUDA
    assert "--node-id" in attempt.command and "--dynamic-node" not in attempt.command
    other = task_attempt(small, AttemptPaths(store, "x1", "n1", 0), node_id="n1", **common)
    assert other.accelerator == "nvidia-tesla-a100" and other.pod_template is None
    assert other.min_driver_version is None and other.interruptible is False

    settings = load_settings({"store": {"url": f"file://{tmp_path}/store"}}, environ={})
    pod = task_pod(attempt, settings)
    spec = pod["spec"]
    terms = spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    expressions = [e for t in terms["nodeSelectorTerms"] for e in t["matchExpressions"]]
    assert {
        "key": settings.kubernetes.gpu_product_label,
        "operator": "In",
        "values": ["nvidia-tesla-t4"],
    } in (expressions)
    assert {"key": "team", "value": "ml", "effect": "NoSchedule"} in spec["tolerations"]
    assert pod["metadata"]["labels"]["team"] == "ml"
    assert pod["metadata"]["annotations"]["dockyard.io/interruptible"] == "true"
    assert pod["metadata"]["annotations"]["dockyard.io/min-driver-version"] == attempt.min_driver_version
    container = next(c for c in spec["containers"] if c["name"] == "primary")
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"


# ---- a dynamic body in its own image (real Docker) --------------------------------------------------------


class RecordingExecutor:
    """Passes through to the real executor, keeping every attempt it launched."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.attempts: list[Any] = []

    def launch(self, attempt: Any) -> Any:
        self.attempts.append(attempt)
        return self.inner.launch(attempt)

    def wait(self, handle: Any) -> Any:
        return self.inner.wait(handle)

    def logs(self, handle: Any) -> str:
        return self.inner.logs(handle)

    def cancel(self, handle: Any) -> None:
        self.inner.cancel(handle)


@pytest.mark.docker
@pytest.mark.registry
@pytest.mark.slow
def test_dynamic_body_runs_in_its_image(tmp_path: Path, docker_engine: str, registry: str) -> None:
    from dockyard.runtime.record import load_record
    from dockyard.runtime.remote import make_executor, run_remote

    from .test_remote import settings_for

    settings: Settings = settings_for(f"file://{tmp_path}/store", tmp_path)
    src = tmp_path / "src"
    shutil.copytree(WORKFLOWS, src, ignore=shutil.ignore_patterns("__pycache__"))
    sys.modules.pop("subdag", None)
    wf = load_entity(f"{src / 'subdag.py'}:spread_wf")
    store = open_store(settings.store.url, settings)
    executor = RecordingExecutor(make_executor(settings, store))
    result = run_remote(wf, {"n": 2}, source_root=src, settings=settings, executor=executor)
    assert result.outputs == ["int:0+0@container", "int:2+2@container"]
    record = load_record(store, result.execution_id)
    body = record.nodes["n0-n0"]  # the workflow runs as n0, its dynamic node as n0-n0
    assert body.task == "subdag.spread"
    assert body.phase is Phase.SUCCEEDED and body.attempts and body.attempts[-1].logs_uri
    assert body.outputs_uri is not None and body.outputs_uri.endswith(DYNAMIC)
    by_node = {a.node_id: a for a in executor.attempts}
    assert set(by_node) == {"n0-n0", *(f"n0-n0-n{i}" for i in range(6))}
    command = by_node["n0-n0-n1"].command
    assert command[command.index("--dynamic-node") + 1] == "n0-n0-n1"
    assert command[command.index("--dynamic-graph") + 1] == body.outputs_uri


@pytest.mark.docker
@pytest.mark.registry
@pytest.mark.slow
def test_map_items_read_one_shared_inputs_document(tmp_path: Path, docker_engine: str, registry: str) -> None:
    from dockyard.runtime.remote import make_executor, run_remote

    from .test_remote import settings_for

    settings: Settings = settings_for(f"file://{tmp_path}/store", tmp_path)
    src = tmp_path / "src"
    shutil.copytree(WORKFLOWS, src, ignore=shutil.ignore_patterns("__pycache__"))
    sys.modules.pop("subdag", None)
    wf = load_entity(f"{src / 'subdag.py'}:mapped_wf")
    store = open_store(settings.store.url, settings)
    executor = RecordingExecutor(make_executor(settings, store))
    result = run_remote(wf, {"xs": [1, 2, 5]}, source_root=src, settings=settings, executor=executor)
    assert result.outputs == [3, 6, 15]
    by_node = {a.node_id: a.command for a in executor.attempts}
    assert set(by_node) == {"n0-n0-0", "n0-n0-1", "n0-n0-2"}
    shared = {c[c.index("--inputs") + 1] for c in by_node.values()}
    assert len(shared) == 1  # one document for every item
    assert literals_from_json(store.read_bytes(shared.pop()).decode()) == {
        "k": {"int": 3},
        "x": {"list": [{"int": 1}, {"int": 2}, {"int": 5}]},
    }
    command = by_node["n0-n0-2"]
    assert command[command.index("--map-index") + 1] == "2"
    assert command[command.index("--map-bound") + 1] == "k"
