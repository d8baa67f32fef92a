"""A Python client for executions, in the spirit of flytekit's `FlyteRemote`.

```python
from dockyard.remote import DockyardRemote

remote = DockyardRemote()                      # the store of the settings (store.url), or store="s3://…"
for summary in remote.list_executions(phase="failed", limit=10):
    print(summary.execution_id, summary.entity, summary.duration)
execution = remote.fetch_execution("x1a2b3c4d5e6f")   # the ExecutionRecord: phase, nodes, attempts
print(remote.outputs(execution.execution_id))  # {"name": value} as plain JSON values
print(remote.logs(execution.execution_id, "n0-n1"))      # the last attempt's captured logs
execution = remote.run_file("flows.py", "pipeline", inputs={"n": 3})   # builds, ships, runs, waits
```

It reads the execution records the driver writes to the blob store (`executions/<id>/…`), so it works
from any machine that can read the store, while or after a run. The `dockyard executions`, `status`,
`logs` and `outputs` commands are this client with a printer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dockyard.errors import ExecutionError

if TYPE_CHECKING:
    from dockyard.config import Settings
    from dockyard.runtime.blobstore.base import Store
    from dockyard.runtime.options import RunOptions
    from dockyard.runtime.record import ExecutionRecord, NodeRecord

__all__ = ["DockyardRemote", "ExecutionSummary"]


@dataclass(frozen=True)
class ExecutionSummary:
    """One line of `list_executions`: what `dockyard executions` shows."""

    execution_id: str
    entity: str
    phase: str
    project: str
    domain: str
    started_at: float
    duration: float | None  # seconds; None while running

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class DockyardRemote:
    """Executions in one blob store. `store` overrides the settings' `store.url`; `project` and `domain`
    are the defaults of `run_file` and the filters of `list_executions` when given."""

    def __init__(
        self,
        store: str | None = None,
        *,
        settings: Settings | None = None,
        project: str | None = None,
        domain: str | None = None,
    ) -> None:
        from dockyard.runtime.blobstore import open_store

        self._settings = settings
        self.store: Store = open_store(store, settings) if store else open_store(None, self.settings)
        self.project = project
        self.domain = domain

    @property
    def settings(self) -> Settings:
        """The settings, read on first use: `dockyard status ID --store file://…` never builds them."""
        if self._settings is None:
            from dockyard.config import get_settings

            self._settings = get_settings()
        return self._settings

    # -- reading -----------------------------------------------------------------------------------
    def fetch_execution(self, execution_id: str) -> ExecutionRecord:
        """The execution's record: phase, message, and every node with its attempts."""
        from dockyard.runtime.record import load_record

        return load_record(self.store, execution_id)

    def list_executions(
        self, *, phase: str | None = None, entity: str | None = None, limit: int = 50
    ) -> list[ExecutionSummary]:
        """Recent executions, newest first, from the execution index (one listing; only runs still shown
        as running are read, so one whose driver is gone is settled first); `entity` matches the full or
        the short name."""
        from dockyard.console.index import ExecutionIndex, Query
        from dockyard.runtime.record import load_record

        index = ExecutionIndex(self.store)
        index.refresh()
        for shown in ("pending", "running"):
            live = Query(phase=shown, project=self.project, domain=self.domain, limit=1_000_000)
            for e in index.query(live)[1]:
                load_record(self.store, e.execution_id)  # settles a run whose driver is gone
        index.refresh()
        query = Query(phase=phase, entity=entity, project=self.project, domain=self.domain, limit=limit)
        _, found = index.query(query)
        return [
            ExecutionSummary(
                execution_id=e.execution_id,
                entity=e.workflow,
                phase=e.phase.value,
                project=e.project,
                domain=e.domain,
                started_at=e.created_at,
                duration=e.updated_at - e.created_at if e.phase.final else None,
            )
            for e in found
        ]

    def node(self, execution_id: str, node_id: str) -> NodeRecord:
        record = self.fetch_execution(execution_id)
        found = record.nodes.get(node_id)
        if found is None:
            known = ", ".join(sorted(record.nodes)) or "none yet"
            raise ExecutionError(f"execution {execution_id}: no node {node_id!r} (nodes: {known})")
        return found

    def outputs(self, execution_id: str) -> dict[str, Any]:
        """The execution's outputs as plain JSON values (files and data sets as their URIs); an error until
        it succeeded."""
        from dockyard.console.details import plain
        from dockyard.sdk.types.literal import literals_from_json

        record = self.fetch_execution(execution_id)
        if record.outputs_uri is None:
            raise ExecutionError(f"execution {execution_id} is {record.phase.value}: it has no outputs")
        literals = literals_from_json(self.store.read_bytes(record.outputs_uri).decode())
        return {name: plain(lit) for name, lit in literals.items()}

    def logs(self, execution_id: str, node_id: str, attempt: int | None = None) -> str:
        """The captured logs of a node's attempt (default: the last one that has logs)."""
        uri = self._logs_uri(execution_id, node_id, attempt)
        return self.store.read_bytes(uri).decode(errors="replace")

    def follow_logs(
        self, execution_id: str, node_id: str, *, poll_s: float = 1.0, timeout_s: float | None = None
    ) -> Iterator[str]:
        """Yield a node's log text as it grows (a running attempt's from its container), until it ends."""
        from dockyard.console.logs import read_logs

        offset, attempt = 0, None
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            record = self.fetch_execution(execution_id)
            node = record.nodes.get(node_id)
            if node is None and record.phase.final:
                self.node(execution_id, node_id)  # raises: no such node
            if node is None:  # not started yet
                time.sleep(poll_s)
                continue
            chunk = read_logs(self.store, self.settings, execution_id, node, None, 0)
            if chunk.attempt != attempt:  # a new attempt: its logs from the start
                attempt, offset = chunk.attempt, 0
            if len(chunk.text) > offset:
                yield chunk.text[offset:]
                offset = len(chunk.text)
            if not chunk.running or (deadline is not None and time.monotonic() > deadline):
                return
            time.sleep(poll_s)

    def _logs_uri(self, execution_id: str, node_id: str, attempt: int | None) -> str:
        node = self.node(execution_id, node_id)
        attempts = [a for a in node.attempts if (attempt is None or a.attempt == attempt) and a.logs_uri]
        if not attempts:
            which = "any attempt" if attempt is None else f"attempt {attempt}"
            raise ExecutionError(f"execution {execution_id} node {node_id}: no logs for {which} yet")
        uri = attempts[-1].logs_uri
        assert uri is not None
        return uri

    def wait(
        self, execution_id: str, *, poll_s: float = 2.0, timeout_s: float | None = None
    ) -> ExecutionRecord:
        """Poll until the execution is no longer running; its final record."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            record = self.fetch_execution(execution_id)
            if record.phase.final:
                return record
            if deadline is not None and time.monotonic() > deadline:
                raise ExecutionError(f"execution {execution_id}: still running after {timeout_s}s")
            time.sleep(poll_s)

    # -- running -----------------------------------------------------------------------------------
    def run_file(
        self,
        file: str | Path,
        entity: str,
        inputs: dict[str, Any] | None = None,
        *,
        options: RunOptions | None = None,
        copy: str = "auto",
    ) -> ExecutionRecord:
        """Run `entity` of `file` remotely (build, ship its project, run, wait): the final record."""
        from dockyard.runtime.options import RunOptions
        from dockyard.runtime.remote import run_remote
        from dockyard.sdk import project
        from dockyard.sdk.launch_plan import LaunchPlan

        source = project.locate(Path(file))
        target = project.load(Path(file), entity)
        values = dict(inputs or {})
        if isinstance(target, LaunchPlan):
            values, target = target.merged_inputs(values), target.workflow
        options = options or RunOptions(
            project=self.project or "dockyard", domain=self.domain or "development"
        )
        settings = self.settings.model_copy(
            update={"store": self.settings.store.model_copy(update={"url": self.store.url})}
        )
        result = run_remote(
            target, values, source_root=source.root, settings=settings, options=options, copy=copy
        )
        return result.record
