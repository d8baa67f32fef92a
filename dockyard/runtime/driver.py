"""Who drives an execution, whether it is still there, and what happens to a run whose driver is gone.

The driver (the process walking the graph: `dockyard run --remote`, its detached child, or a Job on the
cluster) writes `executions/<id>/driver.json` every `HEARTBEAT_S` seconds: its host, pid, backend and the
time. It is a document of its own, so the heartbeat never races the record's writer.

Any reader of a running record (`load_record`, hence `status`, `logs`, `executions`, `--resume`) settles
it: a driver whose process is gone (same host) or whose heartbeat stopped `STALE_S` seconds ago (any
host) leaves a record that would say `running` forever, so the record is marked failed with the reason,
its running nodes too, and its containers (or pods) are removed.

`abort_execution` stops a run: it leaves `executions/<id>/abort.json`, which the driver's heartbeat sees
(it cancels every container and records the run as aborted); a run whose driver is gone is settled as
aborted at once.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from dockyard.errors import ConfigError, DockyardError, StoreError
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.phase import Phase
from dockyard.runtime.protocol import AttemptPaths

_LIVE: set[str] = set()  # tokens of this process's open heartbeats
HEARTBEAT_S = 5.0
STALE_S = 60.0  # a driver on another host is gone when its heartbeat is this old


class DriverDoc(BaseModel):
    host: str
    pid: int
    token: str  # one per Heartbeat: a process that drove a run and lives on is not driving it any more
    backend: str
    started_at: float
    heartbeat_at: float


class AbortDoc(BaseModel):
    requested_at: float
    reason: str


def driver_uri(store: Store, execution_id: str) -> str:
    return store.url_for("executions", execution_id, "driver.json")


def abort_uri(store: Store, execution_id: str) -> str:
    return store.url_for("executions", execution_id, "abort.json")


def read_abort(store: Store, execution_id: str) -> AbortDoc | None:
    uri = abort_uri(store, execution_id)
    return AbortDoc.model_validate(store.read_json(uri)) if store.exists(uri) else None


class Heartbeat:
    """While open, the driver's heartbeat in the store; `on_abort(reason)` runs once when an abort arrives.

    Store errors are not fatal here (the run reports its own); a heartbeat that cannot be written only
    makes the run look stale sooner."""

    def __init__(
        self,
        store: Store,
        execution_id: str,
        backend: str,
        on_abort: Callable[[str], None] | None = None,
        *,
        interval_s: float = HEARTBEAT_S,
    ) -> None:
        self.store, self.execution_id, self.backend = store, execution_id, backend
        self.on_abort = on_abort
        self.interval_s = interval_s
        self.aborted: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"heartbeat-{execution_id}", daemon=True)
        self._doc = DriverDoc(
            host=socket.gethostname(),
            pid=os.getpid(),
            token=uuid.uuid4().hex,
            backend=backend,
            started_at=time.time(),
            heartbeat_at=time.time(),
        )

    def __enter__(self) -> Heartbeat:
        _LIVE.add(self._doc.token)
        self.beat()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        _LIVE.discard(self._doc.token)

    def beat(self) -> None:
        self._doc.heartbeat_at = time.time()
        with contextlib.suppress(StoreError):
            self.store.write_json(driver_uri(self.store, self.execution_id), self._doc.model_dump())
            abort = read_abort(self.store, self.execution_id) if self.aborted is None else None
            if abort is not None and abort.requested_at >= self._doc.started_at:  # not one a resume outlived
                self.aborted = abort.reason
                if self.on_abort is not None:
                    self.on_abort(abort.reason)

    def abort_reason(self) -> str | None:
        """Why the run was aborted, looking at the store now (an interrupt may come before the next beat)."""
        if self.aborted is None:
            self.beat()
        return self.aborted

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.beat()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as stat:  # a zombie is gone too
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def driver_gone(store: Store, record: Any, *, now: float | None = None) -> str | None:
    """Why a running record's driver is gone, or None while it lives (or the record is not running)."""
    if record.phase.final:
        return None
    now = time.time() if now is None else now
    uri = driver_uri(store, record.execution_id)
    if not store.exists(uri):
        if now - record.updated_at > STALE_S:
            return f"its driver left no heartbeat for {now - record.updated_at:.0f}s"
        return None
    doc = DriverDoc.model_validate(store.read_json(uri))
    if doc.host == socket.gethostname():
        if doc.pid == os.getpid() and doc.token not in _LIVE:
            return "its driver stopped without finishing it"
        if not _pid_alive(doc.pid):
            return f"its driver (pid {doc.pid} on {doc.host}) exited without finishing it"
    if now - doc.heartbeat_at > STALE_S:
        return f"no heartbeat from its driver (pid {doc.pid} on {doc.host}) for {now - doc.heartbeat_at:.0f}s"
    return None


def remove_containers(store: Store, execution_id: str, backend: str) -> dict[tuple[str, int], str]:
    """Remove what the execution left running on its backend (containers on Docker, pods on Kubernetes);
    the logs of what was removed, by (node, attempt), where the backend keeps them."""
    from dockyard.config import get_settings
    from dockyard.runtime.remote import make_executor

    settings = get_settings()
    executor = settings.executor.model_copy(update={"backend": backend})
    settings = settings.model_copy(update={"executor": executor})
    try:
        return make_executor(settings, store).remove_execution(execution_id)
    except DockyardError:
        return {}


def driven_elsewhere(store: Store, record: Any) -> bool:
    """Whether a live driver other than one of this process's holds the execution."""
    uri = driver_uri(store, record.execution_id)
    if not store.exists(uri) or driver_gone(store, record) is not None:
        return False
    return DriverDoc.model_validate(store.read_json(uri)).token not in _LIVE


def settle(store: Store, record: Any, reason: str, phase: Phase = Phase.FAILED) -> Any:
    """Mark a record whose driver is gone as ended (`phase`, with `reason`), its running nodes and attempts
    too, and remove its containers. Returns the record as saved."""
    from dockyard.runtime.record import RecordWriter

    backend = "docker"
    uri = driver_uri(store, record.execution_id)
    if store.exists(uri):
        backend = DriverDoc.model_validate(store.read_json(uri)).backend
    logs = remove_containers(store, record.execution_id, backend)
    writer = RecordWriter(store, record)
    now = time.time()
    for node in record.nodes.values():
        if not node.phase.final:
            for attempt in node.attempts:
                if attempt.finished_at is None:  # the interrupted attempt keeps its logs
                    paths = AttemptPaths(store, record.execution_id, node.node_id, attempt.attempt)
                    if (text := logs.get((node.node_id, attempt.attempt))) is not None:
                        attempt.logs_uri = store.write_bytes(paths.logs, text.encode())
                    attempt.phase, attempt.finished_at, attempt.message = phase.value, now, reason
                    attempt.error_kind = "system"
            writer.update(node.node_id, phase=phase, message=reason)
    writer.update(phase=phase, message=f"execution {record.execution_id}: {reason}")
    return record


def settle_if_orphaned(store: Store, record: Any) -> Any:
    """`settle` a running record whose driver is gone (see module docstring); others are returned as is."""
    reason = driver_gone(store, record)
    return record if reason is None else settle(store, record, reason)


def abort_execution(
    store: Store, execution_id: str, *, reason: str = "aborted by the user", wait_s: float = 30.0
) -> Any:
    """Stop a run: ask its driver (through the store) and wait for it to record the abort; a run whose
    driver is gone, or does not answer within `wait_s`, is settled as aborted here. Returns the record."""
    from dockyard.runtime.record import load_record

    record = load_record(store, execution_id, settle=False)
    if record.phase.final:
        raise ConfigError(f"execution {execution_id}: already {record.phase.value}; nothing to abort")
    gone = driver_gone(store, record)
    if gone is not None:
        return settle(store, record, f"{reason} ({gone})", Phase.ABORTED)
    store.write_json(
        abort_uri(store, execution_id), AbortDoc(requested_at=time.time(), reason=reason).model_dump()
    )
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        time.sleep(0.5)
        record = load_record(store, execution_id, settle=False)
        if record.phase.final:
            return record
    return settle(store, record, reason, Phase.ABORTED)
