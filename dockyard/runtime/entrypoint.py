"""`dockyard-execute`: runs one task attempt inside its image (also `python -m dockyard.runtime`).

Everything it needs comes in argv and non-secret env (the store URL, the execution id); secrets arrive as
mounted files. It leaves exactly one of two documents under `--output-prefix`: `outputs.json` (written
last, after every raw output is up) or `error.json` (user vs system, retryable vs final).
Exit status: 0 success, 1 a user error, 2 a system error.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dockyard.errors import DockyardError, StoreError
from dockyard.runtime.protocol import ERROR, OUTPUTS, SUBGRAPH, ErrorDocument

EXIT_USER = 1
EXIT_SYSTEM = 2


@dataclass(frozen=True)
class Args:
    inputs: str
    output_prefix: str
    task: str
    resolver: str = "default"
    map_index: int | None = None
    dynamic_node: str | None = None
    checkpoint_prev: str | None = None
    checkpoint_cur: str | None = None
    bundle: str | None = None
    attempt: int = 0


def parse_args(argv: list[str]) -> Args:
    parser = argparse.ArgumentParser(prog="dockyard-execute", description="Run one task attempt.")
    parser.add_argument("--inputs", required=True, help="URI of the input literals document")
    parser.add_argument("--output-prefix", required=True, help="URI prefix for outputs.json / error.json")
    parser.add_argument("--resolver", default="default", help="how --task is found (default: module:name)")
    parser.add_argument("--task", required=True, help="module:name of the task")
    parser.add_argument("--map-index", type=int, default=None, help="item of a map task (for the record)")
    parser.add_argument(
        "--dynamic-node", default=None, help="node id inside a dynamic sub-DAG (for the record)"
    )
    parser.add_argument("--checkpoint-prev", default=None, help="URI prefix of the previous checkpoint")
    parser.add_argument("--checkpoint-cur", default=None, help="URI prefix for this attempt's checkpoint")
    parser.add_argument(
        "--bundle", default=None, help="URI of a code bundle to run instead of the image's code"
    )
    parser.add_argument("--attempt", type=int, default=0, help="attempt number (0 first)")
    ns = parser.parse_args(argv)
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


def _load_task(args: Args, store: Any, work: Path) -> Any:
    """Unpack the bundle first (so its code wins over the image's), then import the task."""
    if args.bundle:
        from dockyard.runtime.bundle import fetch_bundle

        try:
            src = fetch_bundle(args.bundle, store, work / "src")
        except DockyardError as exc:
            raise _system(exc) from None
        sys.path.insert(0, str(src))
        os.chdir(src)
    elif str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    if args.resolver != "default":
        raise _system(
            ValueError(f"--resolver {args.resolver!r}: only 'default' (module:name) is known"),
            retryable=False,
        )
    from dockyard.sdk.entities import load_entity

    try:
        return load_entity(args.task)
    except Exception as exc:  # an import error in user code: another attempt would fail the same way
        raise _user(exc, retryable=False) from None


def run(args: Args) -> int:
    """Run the attempt and leave its document in the store; returns the exit status."""
    from dockyard.runtime.blobstore import open_store

    store = open_store()
    with tempfile.TemporaryDirectory(prefix="dockyard-execute-") as tmp:
        work = Path(tmp)
        try:
            produced = _attempt(args, store, work)
        except _Failure as failure:
            try:
                store.write_json(f"{args.output_prefix}/{ERROR}", failure.doc.model_dump())
            except StoreError as exc:
                print(f"dockyard-execute: cannot write the error document: {exc}", file=sys.stderr)
            print(failure.doc.traceback or failure.doc.message, file=sys.stderr)
            return EXIT_USER if failure.doc.kind == "user" else EXIT_SYSTEM
        print(f"dockyard-execute: wrote {produced}", file=sys.stderr)
        return 0


def _attempt(args: Args, store: Any, work: Path) -> str:
    from dockyard.runtime.checkpoint import StoreCheckpoint, restore_previous
    from dockyard.sdk.types.literal import literals_from_json, literals_to_json
    from dockyard.sdk.types.transfer import use_store

    task = _load_task(args, store, work)
    try:
        inputs = literals_from_json(store.read_bytes(args.inputs).decode())
        previous = restore_previous(store, args.checkpoint_prev, work / "checkpoint-prev")
    except Exception as exc:
        raise _system(exc) from None
    checkpoint = None
    if args.checkpoint_cur:
        checkpoint = StoreCheckpoint(store, args.checkpoint_cur, work / "checkpoint", previous)
    with use_store(store, args.output_prefix + "/raw"):
        result = _execute(task, inputs, checkpoint, args, work)
        try:
            if result.subgraph is not None:
                uri = f"{args.output_prefix}/{SUBGRAPH}"
                store.write_json(uri, result.subgraph)
            else:
                uri = f"{args.output_prefix}/{OUTPUTS}"
                store.write_bytes(uri, literals_to_json(result.outputs).encode())
        except Exception as exc:
            raise _system(exc) from None
    return uri


@dataclass
class _Result:
    outputs: dict[str, Any]
    subgraph: dict[str, Any] | None = None


def _execute(task: Any, inputs: dict[str, Any], checkpoint: Any, args: Args, work: Path) -> _Result:
    """Run the task body through the SDK's single-task execution, in a context carrying the checkpoint."""
    from dockyard.sdk.context import ExecutionIdentifier, ExecutionParameters, task_context

    execution_id = os.environ.get("DOCKYARD_EXECUTION_ID", "remote")
    params = ExecutionParameters(
        ExecutionIdentifier("dockyard", "development", execution_id),
        task_name=getattr(task, "name", args.task),
        attempt=args.attempt,
        sandbox_root=work / "sandbox",
        checkpoint=checkpoint,
    )
    from dockyard.sdk import execute as sdk_execute

    try:
        with task_context(params):
            out = sdk_execute.run_task_literals(task, inputs)
    except DockyardError as exc:
        # the SDK raises DockyardError for conversion problems of the user's values: the user's to fix
        raise _user(exc, retryable=False) from None
    except Exception as exc:
        raise _user(exc, retryable=True) from None
    if isinstance(out, dict):
        return _Result(outputs=out)
    from dockyard.sdk.graph import to_json

    return _Result(outputs={}, subgraph=to_json(out))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    sys.exit(run(args))
