"""`dockyard-execute flyte ...`: one task attempt under Flyte propeller's container contract.

Propeller starts the container with the args of the task template (serialize.task_args), substituting
`{{.input}}` (the inputs.pb LiteralMap), `{{.outputPrefix}}`, `{{.rawOutputDataPrefix}}` and the checkpoint
prefixes. This writes exactly one of `outputs.pb` (a LiteralMap), `futures.pb` (a dynamic task's
DynamicJobSpec) or `error.pb` (an ErrorDocument: USER or SYSTEM origin, RECOVERABLE or not) under the output
prefix, and exits 0 as pyflyte-execute does, so propeller judges the attempt by that document.
Files, folders and frames go under the raw-output prefix. A map item (`--map-item`) runs the item at the
array index propeller sets (`BATCH_JOB_ARRAY_INDEX_VAR_NAME` names the variable, plus
`BATCH_JOB_ARRAY_INDEX_OFFSET`). Fast registration (`--additional-distribution URI --dest-dir DIR`) fetches
and unpacks the code archive before the task is imported, as pyflyte-fast-execute does.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import io
import json
import os
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flyteidl.core import errors_pb2, execution_pb2, literals_pb2

from dockyard.errors import ConfigError
from dockyard.flyte import types as ft

FUTURES = "futures.pb"
OUTPUTS = "outputs.pb"
ERROR = "error.pb"


@dataclass(frozen=True)
class FlyteArgs:
    inputs: str
    output_prefix: str
    raw_output_prefix: str
    checkpoint_path: str
    prev_checkpoint: str
    task: str
    map_item: bool
    map_bound: str
    additional_distribution: str
    dest_dir: str


def parse_args(argv: list[str]) -> FlyteArgs:
    parser = argparse.ArgumentParser(prog="dockyard-execute flyte", description="Run a task for propeller.")
    parser.add_argument("--inputs", required=True, help="URI of inputs.pb")
    parser.add_argument("--output-prefix", required=True, help="where outputs.pb / futures.pb / error.pb go")
    parser.add_argument("--raw-output-data-prefix", dest="raw_output_prefix", default="")
    parser.add_argument("--checkpoint-path", default="")
    parser.add_argument("--prev-checkpoint", default="")
    parser.add_argument("--task", required=True, help="module:name of the task")
    parser.add_argument("--map-item", action="store_true", help="run one item of a map task's lists")
    parser.add_argument("--map-bound", default="", help="comma-separated map inputs shared by every item")
    parser.add_argument("--additional-distribution", default="", help="URI of a fast-registration archive")
    parser.add_argument("--dest-dir", default="", help="where to unpack --additional-distribution")
    return FlyteArgs(**vars(parser.parse_args(argv)))


class _Failed(Exception):
    def __init__(self, error: errors_pb2.ContainerError) -> None:
        super().__init__(error.message)
        self.error = error


def _container_error(exc: BaseException, *, user: bool, recoverable: bool, code: str = "") -> _Failed:
    import traceback

    from google.protobuf.timestamp_pb2 import Timestamp

    stamp = Timestamp()
    stamp.FromNanoseconds(time.time_ns())
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    message = f"Trace:\n\n{trace}\nMessage:\n\n    {type(exc).__name__}: {exc}"
    error = errors_pb2.ContainerError(
        code=code or ("USER:RuntimeError" if user else "SYSTEM"),
        message=message,
        kind=errors_pb2.ContainerError.RECOVERABLE
        if recoverable
        else errors_pb2.ContainerError.NON_RECOVERABLE,
        origin=execution_pb2.ExecutionError.USER if user else execution_pb2.ExecutionError.SYSTEM,
        timestamp=stamp,
    )
    return _Failed(error)


def _user(exc: BaseException) -> _Failed:
    """flytekit's classification: FlyteRecoverableException asks for a retry, anything else does not."""
    from dockyard.sdk.exceptions import FlyteException, FlyteRecoverableException

    code = type(exc).error_code if isinstance(exc, FlyteException) else ""
    return _container_error(exc, user=True, recoverable=isinstance(exc, FlyteRecoverableException), code=code)


def _system(exc: BaseException, *, recoverable: bool = True) -> _Failed:
    return _container_error(exc, user=False, recoverable=recoverable)


def store_for(uri: str) -> Any:
    """The blob store that holds `uri` (s3:// or file://), however propeller's prefixes are rooted."""
    from dockyard.runtime.blobstore import open_store

    if uri.startswith("s3://"):
        return open_store("s3://" + uri[len("s3://") :].split("/", 1)[0])
    if uri.startswith("file://") or uri.startswith("/"):
        from dockyard.runtime.blobstore.local import LocalStore

        return LocalStore("file:///")
    raise ConfigError(f"{uri}: propeller's prefixes must be s3:// or file:// URIs")


def _uri(path: str) -> str:
    return f"file://{path}" if path.startswith("/") else path


def unpack_distribution(store: Any, uri: str, dest: Path) -> None:
    """Fetch and unpack the fast-registration archive; its code wins over the image's."""
    data = store.read_bytes(_uri(uri))
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
        for member in tar.getmembers():  # files and folders inside dest only (Python 3.11.2 has no filter=)
            target = (dest / member.name).resolve()
            if not (member.isfile() or member.isdir()) or not target.is_relative_to(dest.resolve()):
                raise ConfigError(f"{uri}: {member.name} is not a plain file inside the archive's folder")
        tar.extractall(dest)  # every member was checked above
    sys.path.insert(0, str(dest))
    os.chdir(dest)


def array_index() -> int:
    """The map item propeller assigned this container (pyflyte-map-execute's rule)."""
    offset = int(os.environ.get("BATCH_JOB_ARRAY_INDEX_OFFSET") or 0)
    var = os.environ.get("BATCH_JOB_ARRAY_INDEX_VAR_NAME")
    return offset + int(os.environ.get(var, "0")) if var else offset


def _input_types(task: Any, args: FlyteArgs) -> dict[str, Any]:
    if not args.map_item:
        return dict(task.interface.inputs)
    bound = {b for b in args.map_bound.split(",") if b}
    return {k: (tp if k in bound else list[tp]) for k, tp in task.interface.inputs.items()}  # type: ignore[valid-type]


def _pick_item(inputs: dict[str, Any], args: FlyteArgs) -> dict[str, Any]:
    bound = {b for b in args.map_bound.split(",") if b}
    index = array_index()
    picked = {}
    for name, lit in inputs.items():
        if name in bound:
            picked[name] = lit
            continue
        items = lit.get("list", [])
        if not 0 <= index < len(items):
            raise ConfigError(f"array index {index}: input '{name}' has {len(items)} items")
        picked[name] = items[index]
    return picked


def _image_of_dynamic() -> str:
    """The image a dynamic task's sub-tasks run in: what `_F_SS_C` (set at serialization) says."""
    blob = os.environ.get("_F_SS_C", "")
    if not blob:
        return os.environ.get("DOCKYARD_FLYTE_IMAGE", "")
    return str(json.loads(gzip.decompress(base64.b64decode(blob)))["image"])


def run(args: FlyteArgs) -> int:
    """Run the attempt and leave its one document under the output prefix."""
    store = store_for(args.output_prefix)
    prefix = _uri(args.output_prefix).rstrip("/")
    with tempfile.TemporaryDirectory(prefix="dockyard-flyte-") as tmp:
        try:
            name, body = _attempt(args, store, Path(tmp))
        except _Failed as failed:
            name, body = ERROR, errors_pb2.ErrorDocument(error=failed.error).SerializeToString()
            print(failed.error.message, file=sys.stderr)
        store.write_bytes(f"{prefix}/{name}", body)
        print(f"dockyard-execute: wrote {prefix}/{name}", file=sys.stderr)
    return 0


def _attempt(args: FlyteArgs, store: Any, work: Path) -> tuple[str, bytes]:
    from dockyard.runtime.checkpoint import StoreCheckpoint, restore_previous
    from dockyard.runtime.entrypoint import Args, _runner
    from dockyard.sdk.entities import load_entity
    from dockyard.sdk.types.transfer import use_store
    from dockyard.sdk.walker import AttemptInfo

    try:
        if args.additional_distribution:
            dest = Path(args.dest_dir or ".").absolute()
            unpack_distribution(store_for(args.additional_distribution), args.additional_distribution, dest)
        elif str(Path.cwd()) not in sys.path:
            sys.path.insert(0, str(Path.cwd()))
    except Exception as exc:
        raise _system(exc) from None
    try:
        task = load_entity(args.task)
    except Exception as exc:  # an import error in the user's code
        raise _user(exc) from None
    try:
        message = literals_pb2.LiteralMap()
        message.ParseFromString(store_for(args.inputs).read_bytes(_uri(args.inputs)))
        inputs = ft.from_literal_map(message, _input_types(task, args))
        if args.map_item:
            inputs = _pick_item(inputs, args)
        prev = _uri(args.prev_checkpoint) if args.prev_checkpoint else None
        previous = restore_previous(store, prev, work / "checkpoint-prev")
    except Exception as exc:
        raise _system(exc, recoverable=not isinstance(exc, ConfigError)) from None
    checkpoint_uri = _uri(args.checkpoint_path) if args.checkpoint_path else str(work / "cp-out")
    checkpoint = StoreCheckpoint(store, checkpoint_uri, work / "checkpoint", previous)
    plain = Args(inputs=args.inputs, output_prefix=args.output_prefix, task=args.task)
    runner = _runner(store, plain, checkpoint, work)
    info = AttemptInfo(os.environ.get("FLYTE_INTERNAL_EXECUTION_ID", "flyte"), task.name, 0, task.retries)
    raw = _uri(args.raw_output_prefix or f"{args.output_prefix}/raw").rstrip("/")
    with use_store(store, raw):
        try:
            if task.node_kind == "dynamic":
                graph = runner.run_dynamic(task, "dn", inputs, info)
            else:
                outputs = runner.run(task, task.name, inputs, info)
        except Exception as exc:
            raise _user(exc) from None
        try:
            if task.node_kind == "dynamic":
                from dockyard.flyte.serialize import dynamic_job_spec

                return FUTURES, dynamic_job_spec(graph, task, _image_of_dynamic()).SerializeToString()
            return OUTPUTS, ft.literal_map(outputs, task.interface.outputs).SerializeToString()
        except Exception as exc:
            raise _system(exc, recoverable=False) from None


def main(argv: list[str]) -> int:
    return run(parse_args(argv))
