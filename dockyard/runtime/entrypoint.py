"""`dockyard-execute`: runs one task attempt inside its image (also `python -m dockyard.runtime`).

Everything it needs comes in argv and non-secret env (the store URL, the execution id); secrets arrive as
mounted files. It leaves exactly one of these documents under `--output-prefix`: `outputs.json` (written
last, after every raw output is up), `dynamic.json` (a dynamic task: the sub-DAG its body built, a
`dockyard.graph/v1` document whose nodes the driver then runs) or `error.json` (user vs system,
retryable vs final).

The task is found by one of three resolvers: `--task module:name`; a map-task item (`--map-index N`: the
inputs are the map node's, item N of every list input not named in `--map-bound` is picked); or a node of
a dynamic sub-DAG (`--dynamic-graph URI --dynamic-node ID`, the task that node names in that document).
Exit status: 0 success, 1 a user error, 2 a system error. `dockyard-execute flyte ...` speaks Flyte
propeller's contract instead (dockyard/flyte/execute.py); `dockyard-execute serve ...` is the warm process
of a reusable container, which runs many attempts (dockyard/runtime/reuse_worker.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dockyard.errors import ConfigError, DockyardError, StoreError
from dockyard.runtime.protocol import DYNAMIC, ERROR, OUTPUTS, ErrorDocument

EXIT_USER = 1
EXIT_SYSTEM = 2


@dataclass(frozen=True)
class Args:
    inputs: str
    output_prefix: str
    task: str
    resolver: str = "default"
    checkpoint_prev: str | None = None
    checkpoint_cur: str | None = None
    bundle: str | None = None
    attempt: int = 0
    node_id: str | None = None
    map_index: int | None = None
    map_bound: str = ""
    dynamic_graph: str | None = None
    dynamic_node: str | None = None
    raw_output_prefix: str | None = None
    raw_inputs_dir: str | None = None
    raw_outputs_dir: str | None = None


def parse_args(argv: list[str]) -> Args:
    parser = argparse.ArgumentParser(prog="dockyard-execute", description="Run one task attempt.")
    parser.add_argument("--inputs", required=True, help="URI of the input literals document")
    parser.add_argument("--output-prefix", required=True, help="URI prefix for outputs.json / error.json")
    parser.add_argument("--resolver", default="default", help="how --task is found (default: module:name)")
    parser.add_argument("--task", default="", help="module:name of the task")
    parser.add_argument("--checkpoint-prev", default=None, help="URI prefix of the previous checkpoint")
    parser.add_argument("--checkpoint-cur", default=None, help="URI prefix for this attempt's checkpoint")
    parser.add_argument(
        "--bundle", default=None, help="URI of a code bundle to run instead of the image's code"
    )
    parser.add_argument("--attempt", type=int, default=0, help="attempt number (0 first)")
    parser.add_argument("--node-id", default=None, help="the node id in the execution (prefixes sub-DAGs)")
    parser.add_argument("--map-index", type=int, default=None, help="run item N of a map task's lists")
    parser.add_argument("--map-bound", default="", help="comma-separated map inputs shared by every item")
    parser.add_argument("--dynamic-graph", default=None, help="URI of a dynamic sub-DAG document")
    parser.add_argument("--dynamic-node", default=None, help="the node of --dynamic-graph to run")
    parser.add_argument(
        "--raw-output-prefix", default=None, help="URI prefix of raw outputs (default: <output-prefix>/raw)"
    )
    parser.add_argument(
        "--raw-inputs-dir", default=None, help="a ContainerTask's pod: only stage its file inputs here"
    )
    parser.add_argument(
        "--raw-outputs-dir", default=None, help="a ContainerTask's pod: read its outputs from here"
    )
    ns = parser.parse_args(argv)
    if not ns.task and not ns.dynamic_node:
        parser.error("one of --task or --dynamic-node is required")
    if bool(ns.dynamic_graph) != bool(ns.dynamic_node):
        parser.error("--dynamic-graph and --dynamic-node go together")
    return Args(**{k: v for k, v in vars(ns).items()})


class _Failure(Exception):
    """Carries the error document out of the run."""

    def __init__(self, doc: ErrorDocument) -> None:
        super().__init__(doc.message)
        self.doc = doc


def _system(exc: BaseException, *, retryable: bool = True) -> _Failure:
    return _Failure(ErrorDocument.from_exception(exc, kind="system", retryable=retryable))


def _user(exc: BaseException, *, retryable: bool) -> _Failure:
    return _Failure(ErrorDocument.from_exception(exc, kind="user", retryable=retryable))


# bundle URI -> that bundle unpacked read-only: a warm container's process fills it once for many attempts
# (reuse_worker.py); an attempt then starts from a copy of it instead of unpacking the bundle again
UNPACKED: dict[str, Path] = {}
# sub-DAG document URI -> (its bytes, node id -> the entity the node names): parsed once per content
_GRAPHS: dict[str, tuple[bytes, dict[str, str]]] = {}


def _load_task(args: Args, store: Any, work: Path) -> Any:
    """Unpack the bundle first (so its code wins over the image's), then import the task."""
    if args.bundle:
        try:
            src = _bundle_code(args.bundle, store, work / "src")
        except DockyardError as exc:
            raise _system(exc) from None
        os.chdir(src)
    elif str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    if args.resolver != "default":
        raise _system(
            ValueError(f"--resolver {args.resolver!r}: only 'default' (module:name) is known"),
            retryable=False,
        )
    from dockyard.sdk.entities import load_entity

    ref = task_ref(args, store)
    try:
        return load_entity(ref)
    except Exception as exc:  # an import error in user code: another attempt would fail the same way
        raise _user(exc, retryable=False) from None


def _bundle_code(uri: str, store: Any, dest: Path) -> Path:
    """The attempt's own copy of the bundle in `dest`, its code on sys.path: a copy of the warm process's
    unpacked bundle (on sys.path already, where the task's module was imported from), else unpacked here."""
    from dockyard.runtime.bundle import fetch_bundle, working_copy

    unpacked = UNPACKED.get(uri)
    if unpacked is not None:
        return working_copy(unpacked, dest)
    src = fetch_bundle(uri, store, dest)
    sys.path.insert(0, str(src))
    return src


def task_ref(args: Args, store: Any) -> str:
    """The `module:name` the attempt runs: `--task`, or what node `--dynamic-node` of the sub-DAG document
    names (a map node's task)."""
    if not args.dynamic_node:
        return args.task
    uri = str(args.dynamic_graph)
    try:
        data = store.read_bytes(uri)
        known = _GRAPHS.get(uri)
        if known is None or known[0] != data:  # a byte comparison: faster than hashing them again
            known = _GRAPHS[uri] = (data, _graph_entities(uri, json.loads(data)))
    except _Failure:
        raise
    except Exception as exc:
        raise _system(exc) from None
    entity = known[1].get(args.dynamic_node)
    if entity is None:
        raise _system(
            ConfigError(f"--dynamic-node {args.dynamic_node}: no task node in {uri}"), retryable=False
        )
    return entity


def _graph_entities(uri: str, doc: Any) -> dict[str, str]:
    """Every task node of a sub-DAG document (branch cases included) and the entity it names."""
    from dockyard.sdk.graph import GRAPH_SCHEMA

    if doc.get("schema") != GRAPH_SCHEMA:
        raise _system(ConfigError(f"{uri}: schema {doc.get('schema')!r} is not {GRAPH_SCHEMA!r}"))
    found: dict[str, str] = {}
    pending = list(doc["nodes"])
    while pending:
        node = pending.pop()
        if node.get("entity"):
            found.setdefault(node["id"], str(node["entity"]))
        for case in node.get("branch", {}).get("cases", []):
            pending.extend(case["nodes"])
    return found


def _map_item(args: Args, task: Any, inputs: dict[str, Any]) -> dict[str, Any]:
    """Item `--map-index` of a map node's inputs: that item of every list, bound inputs as they are."""
    bound = {b for b in args.map_bound.split(",") if b}
    index = args.map_index if args.map_index is not None else -1
    item: dict[str, Any] = {}
    for name, lit in inputs.items():
        if name in bound:
            item[name] = lit
            continue
        items = lit.get("list") if isinstance(lit, dict) else None
        if not isinstance(items, list) or not 0 <= index < len(items):
            raise ConfigError(f"--map-index {args.map_index}: input '{name}' has no such item")
        item[name] = items[index]
    unknown = sorted(set(item) - set(task.interface.inputs))
    if unknown:
        raise ConfigError(f"--map-index: inputs {unknown} are not inputs of {task.name}")
    return item


def run(args: Args) -> int:
    """Run the attempt and leave its document in the store; returns the exit status."""
    from dockyard.runtime.blobstore import open_store

    # the driver names the store in env (orchestrator.store_env): a file:// store needs no settings
    status, report = run_attempt(args, open_store(os.environ.get("DOCKYARD_STORE_URL")))
    print(report, file=sys.stderr)
    return status


def run_attempt(args: Args, store: Any) -> tuple[int, str]:
    """Run the attempt and leave its document in `store`: the exit status and what to log. The driver
    calls it in-process for a ContainerTask, whose image has no dockyard (`runtime/raw_container.py`)."""
    with tempfile.TemporaryDirectory(prefix="dockyard-execute-") as tmp:
        work = Path(tmp)
        try:
            produced = _attempt(args, store, work)
        except _Failure as failure:
            report = failure.doc.traceback or failure.doc.message
            try:
                store.write_json(f"{args.output_prefix}/{ERROR}", failure.doc.model_dump())
            except StoreError as exc:
                report = f"dockyard-execute: cannot write the error document: {exc}\n{report}"
            return (EXIT_USER if failure.doc.kind == "user" else EXIT_SYSTEM), report
        return 0, f"dockyard-execute: wrote {produced}"


def _attempt(args: Args, store: Any, work: Path) -> str:
    from dockyard.runtime.checkpoint import StoreCheckpoint, restore_previous
    from dockyard.sdk.container_task import OUTPUTS_FROM
    from dockyard.sdk.context import Checkpoint
    from dockyard.sdk.types.literal import literals_from_json, literals_to_json
    from dockyard.sdk.types.transfer import use_store

    task = _load_task(args, store, work)
    try:
        inputs = literals_from_json(store.read_bytes(args.inputs).decode())
        previous = restore_previous(store, args.checkpoint_prev, work / "checkpoint-prev")
    except Exception as exc:
        raise _system(exc) from None
    if args.map_index is not None:
        try:
            inputs = _map_item(args, task, inputs)
        except ConfigError as exc:
            raise _system(exc, retryable=False) from None
    if args.checkpoint_cur:
        checkpoint: Checkpoint = StoreCheckpoint(store, args.checkpoint_cur, work / "checkpoint", previous)
    else:
        checkpoint = Checkpoint(work / "checkpoint", previous)
    with use_store(store, args.raw_output_prefix or args.output_prefix + "/raw"):
        if args.raw_inputs_dir:
            return _stage_raw_inputs(task, inputs, args.raw_inputs_dir)
        outputs_from = OUTPUTS_FROM.set(args.raw_outputs_dir)
        try:
            outputs = _execute(task, inputs, _runner(store, args, checkpoint, work), args)
        finally:
            OUTPUTS_FROM.reset(outputs_from)
        if isinstance(outputs, dict):
            uri = f"{args.output_prefix}/{OUTPUTS}"
            body = literals_to_json(outputs)
        else:  # a dynamic task's sub-DAG
            from dockyard.sdk.graph import to_json

            uri = f"{args.output_prefix}/{DYNAMIC}"
            body = json.dumps(to_json(outputs), sort_keys=True)
        try:
            store.write_bytes(uri, body.encode())
        except Exception as exc:
            raise _system(exc) from None
    return uri


def _stage_raw_inputs(task: Any, inputs: dict[str, Any], directory: str) -> str:
    """The first step of a ContainerTask's pod (`kubernetes/raw_pod.py`): its file inputs, downloaded
    into the folder the user's container sees as `input_data_dir`."""
    from dockyard.sdk.execute import python_inputs

    try:
        task.stage_inputs(python_inputs(task, inputs), directory)
    except Exception as exc:
        raise _system(exc) from None
    return directory


def _runner(store: Any, args: Args, checkpoint: Any, work: Path) -> Any:
    """The SDK's in-process runner, with a context for a container: the store-synced checkpoint, a
    sandbox in the attempt's scratch folder, and `local=False` (ImageSpec.is_container() reads the env)."""
    from dockyard.sdk.context import ExecutionIdentifier, ExecutionParameters
    from dockyard.sdk.local import LocalTaskRunner

    class ContainerRunner(LocalTaskRunner):
        def params(self, task: Any, info: Any) -> ExecutionParameters:
            return ExecutionParameters(
                ExecutionIdentifier(
                    os.environ.get("DOCKYARD_EXECUTION_PROJECT", "dockyard"),
                    os.environ.get("DOCKYARD_EXECUTION_DOMAIN", "development"),
                    info.execution_id,
                ),
                task_name=task.name,
                attempt=info.attempt,
                sandbox_root=work / "sandbox",
                checkpoint=checkpoint,
                local=False,
            )

    return ContainerRunner(work)


def _execute(task: Any, inputs: dict[str, Any], runner: Any, args: Args) -> Any:
    """Run the task body once through the SDK (output literals, or a dynamic task's sub-graph); classify
    what goes wrong."""
    from dockyard.sdk.types.errors import TypeTransformerFailedError
    from dockyard.sdk.walker import AttemptInfo, NonRetryable

    execution_id = os.environ.get("DOCKYARD_EXECUTION_ID", "remote")  # the orchestrator sets it
    node_id = args.node_id or args.task
    info = AttemptInfo(execution_id, node_id, args.attempt, task.retries)
    try:
        if task.node_kind == "dynamic":
            return runner.run_dynamic(task, node_id, inputs, info)
        outputs: dict[str, Any] = runner.run(task, node_id, inputs, info)
    except Exception as exc:
        # a bad definition or a value the type engine cannot convert fails the same way every time
        raise _user(
            exc, retryable=not isinstance(exc, (ConfigError, NonRetryable, TypeTransformerFailedError))
        ) from None
    return outputs


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["flyte"]:  # propeller's contract (protobuf documents): dockyard.flyte.execute
        from dockyard.flyte.execute import main as flyte_main

        sys.exit(flyte_main(argv[1:]))
    if argv[:1] == ["serve"]:  # a reusable container's warm process: dockyard.runtime.reuse_worker
        from dockyard.runtime.reuse_worker import main as serve_main

        sys.exit(serve_main(argv[1:]))
    sys.exit(run(parse_args(argv)))
