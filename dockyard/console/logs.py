"""A node attempt's logs for the page, from an offset: the stored `logs.txt` once the attempt ended, and
while it runs the output so far of its container (the driver stores logs only at the end)."""

from __future__ import annotations

import subprocess

from pydantic import BaseModel

from dockyard.config import Settings
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.record import NodeRecord


class LogChunk(BaseModel):
    attempt: int | None
    offset: int  # where the next request starts
    text: str
    running: bool  # more may come


def read_logs(
    store: Store, settings: Settings, execution_id: str, node: NodeRecord, attempt: int | None, offset: int
) -> LogChunk:
    chosen = [a for a in node.attempts if attempt is None or a.attempt == attempt]
    if not chosen:
        return LogChunk(attempt=attempt, offset=offset, text="", running=node.phase.value == "pending")
    last = chosen[-1]
    text = ""
    running = last.finished_at is None
    if not running and last.logs_uri is not None and store.exists(last.logs_uri):
        text = store.read_bytes(last.logs_uri).decode(errors="replace")
    elif running and settings.executor.backend == "docker":
        text = _container_logs(execution_id, node.node_id, last.attempt)
    text = text[offset:] if offset <= len(text) else ""
    return LogChunk(attempt=last.attempt, offset=offset + len(text), text=text, running=running)


def _container_logs(execution_id: str, node_id: str, attempt: int) -> str:
    """The output so far of the attempt's container, found by the labels the Docker executor sets."""
    filters = [
        f"label=dockyard.execution={execution_id}",
        f"label=dockyard.node={node_id}",
        f"label=dockyard.attempt={attempt}",
    ]
    argv = ["docker", "ps", "-aq"] + [arg for f in filters for arg in ("--filter", f)]
    found = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=30)
    ids = found.stdout.split()
    if found.returncode != 0 or not ids:
        return ""
    logs = subprocess.run(["docker", "logs", ids[0]], capture_output=True, check=False, timeout=30)
    return (logs.stdout + logs.stderr).decode(errors="replace") if logs.returncode == 0 else ""
