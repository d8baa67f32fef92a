"""The console's relaunch, through the code paths the CLI uses: the entity comes from the execution's own
bundle as a resume finds it (`runtime.detached.entity_from_bundle`), and runs as a registered run does
(`runtime.remote.run_registered`) with the recorded images; edited inputs are parsed from text as the CLI
parses flags (`sdk.types.from_text`). An abort is `runtime.driver.abort_execution`, as the CLI's."""

from __future__ import annotations

import logging
import shlex
import threading

from dockyard.config import Settings
from dockyard.errors import DockyardError, ExecutionError
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.record import ExecutionRecord

log = logging.getLogger(__name__)


def relaunch(
    store: Store, settings: Settings, record: ExecutionRecord, edits: dict[str, str]
) -> tuple[str, threading.Thread]:
    """Start a new execution of the same entity with the recorded inputs, `edits` (name -> text, as on
    the command line) replacing some; returns its id at once and the driver thread."""
    from dockyard.runtime.detached import entity_from_bundle
    from dockyard.runtime.orchestrator import new_execution_id
    from dockyard.runtime.remote import run_registered
    from dockyard.sdk.types import TypeEngine
    from dockyard.sdk.types.from_text import from_text
    from dockyard.sdk.types.literal import literals_from_json

    entity = entity_from_bundle(record, store)  # as a resume finds it
    doc = {"images": dict(record.images), "bundle_uri": record.bundle_uri}
    types = entity.interface.inputs
    unknown = sorted(set(edits) - set(types))
    if unknown:
        raise ExecutionError(f"inputs {unknown}: {record.workflow} has inputs {sorted(types)}")
    literals = literals_from_json(store.read_bytes(record.inputs_uri).decode()) if record.inputs_uri else {}
    inputs = {k: TypeEngine.to_python(lit, types[k]) for k, lit in literals.items() if k in types}
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
