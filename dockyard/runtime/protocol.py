"""What the driver and `dockyard-execute` agree on: where an attempt's files live in the store, and the
documents it leaves behind (outputs, or an error that says whose fault it was and whether to retry).

Outputs appear all at once: raw outputs (files, folders, data frames) go up first under `raw/`, and
`outputs.json` (the literals) is written last, in one atomic put. A reader that sees `outputs.json` sees
everything; a reader that does not, sees nothing.
"""

from __future__ import annotations

import traceback
from typing import Literal

from pydantic import BaseModel

from dockyard.runtime.blobstore.base import Store

ERROR_SCHEMA_VERSION = 1
OUTPUTS = "outputs.json"
ERROR = "error.json"
DYNAMIC = "dynamic.json"  # a dynamic task's sub-DAG (a dockyard.graph/v1 document), instead of outputs


def node_base(store: Store, execution_id: str, node_id: str) -> str:
    """Where everything of one node of one execution is stored."""
    return store.url_for("executions", execution_id, "nodes", node_id)


def map_inputs_uri(store: Store, execution_id: str, node_id: str) -> str:
    """A map node's inputs, stored once for all its items (each item's container picks its own)."""
    return f"{node_base(store, execution_id, node_id)}/inputs.json"


class AttemptPaths:
    """URIs of one attempt of one node of one execution."""

    def __init__(self, store: Store, execution_id: str, node_id: str, attempt: int) -> None:
        self.base = node_base(store, execution_id, node_id)
        self.attempt = attempt

    @property
    def prefix(self) -> str:
        return f"{self.base}/{self.attempt}"

    @property
    def inputs(self) -> str:
        return f"{self.prefix}/inputs.json"

    @property
    def output_prefix(self) -> str:
        return f"{self.prefix}/outputs"

    @property
    def logs(self) -> str:
        return f"{self.prefix}/logs.txt"

    @property
    def checkpoint(self) -> str:
        return f"{self.base}/checkpoints/{self.attempt}/"


class ErrorDocument(BaseModel):
    """Why an attempt failed. `kind` says whose fault (user code or the platform); `retryable` whether
    another attempt may succeed (a user error is retried while the task's retries last)."""

    schema_version: int = ERROR_SCHEMA_VERSION
    kind: Literal["user", "system"]
    retryable: bool
    type: str
    message: str
    traceback: str = ""

    @classmethod
    def from_exception(
        cls, exc: BaseException, *, kind: Literal["user", "system"], retryable: bool
    ) -> ErrorDocument:
        frames = traceback.format_exception(type(exc), exc, exc.__traceback__)
        return cls(
            kind=kind,
            retryable=retryable,
            type=type(exc).__name__,
            message=str(exc),
            traceback="".join(frames),
        )


def read_error(store: Store, output_prefix: str) -> ErrorDocument | None:
    uri = f"{output_prefix}/{ERROR}"
    if not store.exists(uri):
        return None
    return ErrorDocument.model_validate(store.read_json(uri))
