"""The console's only writes, through the code paths the CLI uses: a relaunch is a registered run
(`runtime.remote.run_registered`, as `dockyard run --remote --registered`) of the execution's own bundle
and pinned images; edited inputs are parsed from text as the CLI parses flags."""

from __future__ import annotations

import logging
import shlex
import threading
from typing import Any

from dockyard.config import Settings
from dockyard.errors import DockyardError, ExecutionError
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.record import ExecutionRecord

log = logging.getLogger(__name__)


def relaunch_document(record: ExecutionRecord) -> dict[str, Any]:
    """A registration-like document for the execution: its bundle, images and module."""
    if record.bundle_uri is None:
        raise ExecutionError(
            f"execution {record.execution_id}: no code bundle recorded, it cannot be relaunched"
        )
    return {
        "module": record.workflow.rpartition(".")[0],
        "bundle_uri": record.bundle_uri,
        "images": dict(record.images),
        "version": record.execution_id,
    }


def relaunch(
    store: Store, settings: Settings, record: ExecutionRecord, edits: dict[str, str]
) -> tuple[str, threading.Thread]:
    """Start a new execution of the same entity with the recorded inputs, `edits` (name -> text, as on
    the command line) replacing some; returns its id at once and the driver thread."""
    from dockyard.runtime.orchestrator import new_execution_id
    from dockyard.runtime.registration import load_registered
    from dockyard.runtime.remote import run_registered
    from dockyard.sdk.types import TypeEngine
    from dockyard.sdk.types.literal import literals_from_json

    doc = relaunch_document(record)
    entity = load_registered(doc, store, record.workflow)
    types = entity.interface.inputs
    unknown = sorted(set(edits) - set(types))
    if unknown:
        raise ExecutionError(f"inputs {unknown}: {record.workflow} has inputs {sorted(types)}")
    literals = literals_from_json(store.read_bytes(record.inputs_uri).decode()) if record.inputs_uri else {}
    inputs = {k: TypeEngine.to_python(lit, types[k]) for k, lit in literals.items() if k in types}
    if edits:
        from dockyard.sdk.types.from_text import from_text  # the CLI's parser of typed values

        inputs.update({k: from_text(text, types[k], where=f"input {k}") for k, text in edits.items()})
    execution_id = new_execution_id()

    def drive() -> None:
        try:
            run_registered(doc, entity, inputs, settings=settings, execution_id=execution_id)
        except DockyardError as exc:  # the record of the new execution has the failure too
            log.warning("relaunched execution %s: %s", execution_id, exc)

    thread = threading.Thread(target=drive, name=f"dockyard-relaunch-{execution_id}", daemon=True)
    thread.start()
    return execution_id, thread


def cli_command(record: ExecutionRecord, store_url: str) -> str:
    """The terminal command that shows this execution (copied from the page)."""
    return shlex.join(["dockyard", "status", record.execution_id, "--store", store_url])
