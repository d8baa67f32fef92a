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

from dockyard.errors import ConfigError, DockyardError, StoreError
from dockyard.runtime.protocol import ERROR, OUTPUTS, ErrorDocument

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


def parse_args(argv: list[str]) -> Args:
    parser = argparse.ArgumentParser(prog="dockyard-execute", description="Run one task attempt.")
    parser.add_argument("--inputs", required=True, help="URI of the input literals document")
    parser.add_argument("--output-prefix", required=True, help="URI prefix for outputs.json / error.json")
    parser.add_argument("--resolver", default="default", help="how --task is found (default: module:name)")
    parser.add_argument("--task", required=True, help="module:name of the task")
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
    from dockyard.sdk.context import Checkpoint
    from dockyard.sdk.types.literal import literals_from_json, literals_to_json
    from dockyard.sdk.types.transfer import use_store

    task = _load_task(args, store, work)
    try:
        inputs = literals_from_json(store.read_bytes(args.inputs).decode())
        previous = restore_previous(store, args.checkpoint_prev, work / "checkpoint-prev")
    except Exception as exc:
        raise _system(exc) from None
    if args.checkpoint_cur:
        checkpoint: Checkpoint = StoreCheckpoint(store, args.checkpoint_cur, work / "checkpoint", previous)
    else:
        checkpoint = Checkpoint(work / "checkpoint", previous)
    with use_store(store, args.output_prefix + "/raw"):
        outputs = _execute(task, inputs, _runner(store, args, checkpoint, work), args)
        uri = f"{args.output_prefix}/{OUTPUTS}"
        try:
            store.write_bytes(uri, literals_to_json(outputs).encode())
        except Exception as exc:
            raise _system(exc) from None
    return uri


def _runner(store: Any, args: Args, checkpoint: Any, work: Path) -> Any:
    """The SDK's in-process runner, with a context for a container: the store-synced checkpoint, a
    sandbox in the attempt's scratch folder, and `local=False` (ImageSpec.is_container() reads the env)."""
    from dockyard.sdk.context import ExecutionIdentifier, ExecutionParameters
    from dockyard.sdk.local import LocalTaskRunner

    class ContainerRunner(LocalTaskRunner):
        def params(self, task: Any, info: Any) -> ExecutionParameters:
            return ExecutionParameters(
                ExecutionIdentifier("dockyard", "development", info.execution_id),
                task_name=task.name,
                attempt=info.attempt,
                sandbox_root=work / "sandbox",
                checkpoint=checkpoint,
                local=False,
            )

    return ContainerRunner(work)


def _execute(task: Any, inputs: dict[str, Any], runner: Any, args: Args) -> dict[str, Any]:
    """Run the task body once through the SDK; classify what goes wrong."""
    from dockyard.sdk.types.errors import TypeConversionError
    from dockyard.sdk.walker import AttemptInfo, NonRetryable

    execution_id = os.environ.get("DOCKYARD_EXECUTION_ID", "remote")
    info = AttemptInfo(execution_id, args.task, args.attempt, task.retries)
    try:
        outputs: dict[str, Any] = runner.run(task, args.task, inputs, info)
    except Exception as exc:
        # a bad definition or a value the type engine cannot convert fails the same way every time
        raise _user(
            exc, retryable=not isinstance(exc, (ConfigError, NonRetryable, TypeConversionError))
        ) from None
    return outputs


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    sys.exit(run(args))
