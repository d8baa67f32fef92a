"""Progress of builds and runs, for `build`, `run --remote`, `serialize` and `register` (`--progress`).

Two sources feed one view: the BuildEngine's `BuildEvent`s (an image checked, built, each step) and the
execution record's updates (`RecordWriter.on_change`: a node started, retried, finished). Modes:
- `tty`: a rich live view, the images with the step each is on, then the DAG's nodes with phase, attempt
  and elapsed time, pending ones included; it stays on screen when done, with durations;
- `plain`: one line per event with a UTC timestamp, for CI logs;
- `json`: one JSON object per event;
- `auto`: `tty` on a terminal, else `plain`.
Everything goes to stderr, so stdout keeps the command's result.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, TextIO

from dockyard.cli.steps import human_step

if TYPE_CHECKING:  # rich is imported where it draws: a command that only reads the options starts fast
    from rich.console import Group
    from rich.live import Live
    from rich.table import Table

    from dockyard.builders.engine import BuildEvent
    from dockyard.runtime.record import ExecutionRecord


class ProgressMode(str, Enum):
    auto = "auto"
    tty = "tty"
    plain = "plain"
    json = "json"


PROGRESS_HELP = (
    "Progress on stderr: auto (tty on a terminal, else plain), tty, plain, or json (one object a line)."
)
_COLOURS = {"succeeded": "green", "cached": "cyan", "failed": "red", "running": "yellow", "pending": "dim"}


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def duration(seconds: float | None) -> str:
    """`4.2s`, `3m05s`, `1h02m`: short enough for a table column."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    return f"{minutes // 60}h{minutes % 60:02d}m"


_DIGITS = re.compile(r"(\d+)")


def node_sort_key(node_id: str) -> list[Any]:
    """n2 before n10, and a parent's children right after it (`n1`, `n1-0`, `n1-1`, `n2`): the id's text
    and numbers alternate (text at even places, possibly empty at either end), so numbers compare as
    numbers."""
    parts: list[Any] = _DIGITS.split(node_id)
    parts[1::2] = map(int, parts[1::2])
    return parts


@dataclass
class _Image:
    name: str
    state: str = "checking"
    step: str = ""
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    last: tuple[str, str] = ("", "")  # the previous event's kind and detail


@dataclass
class _Node:
    node_id: str
    task: str = ""
    phase: str = "pending"
    attempt: int | None = None
    started: float | None = None
    finished: float | None = None
    message: str = ""


class ProgressView:
    """Receives build events and record updates (from any thread) and shows them in one mode."""

    def __init__(self, mode: ProgressMode, stream: TextIO | None = None) -> None:
        from rich.console import Console

        self.console = Console(file=stream, stderr=stream is None, highlight=False, soft_wrap=True)
        if mode is ProgressMode.auto:
            mode = ProgressMode.tty if self.console.is_terminal else ProgressMode.plain
        self.mode = mode
        self.specs: dict[str, Any] = {}  # image reference -> ImageSpec, for step counts
        self._lock = threading.RLock()
        self._images: dict[str, _Image] = {}
        self._nodes: dict[str, _Node] = {}
        self._live: Live | None = None
        self.announced = False  # the execution's id has been shown

    # -- lifecycle ---------------------------------------------------------------------------------
    def __enter__(self) -> ProgressView:
        if self.mode is ProgressMode.tty:
            from rich.live import Live

            self._live = Live(
                console=self.console, get_renderable=self._render, refresh_per_second=8, transient=False
            )
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.refresh()
            self._live.stop()
            self._live = None

    # -- sources -----------------------------------------------------------------------------------
    def pending(self, nodes: list[tuple[str, str]]) -> None:
        """The DAG's nodes (id, entity name) before they run, so the view lists them as pending."""
        with self._lock:
            for node_id, task in nodes:
                self._nodes.setdefault(node_id, _Node(node_id, task))

    def on_build(self, event: BuildEvent) -> None:
        """A BuildEngine `on_event` hook; an event that repeats the image's previous one is dropped."""
        with self._lock:
            image = self._images.setdefault(event.image, _Image(event.image.rsplit("/", 1)[-1]))
            detail = (
                human_step(event.detail, self.specs.get(event.image))
                if event.kind == "step"
                else event.detail
            )
            if image.last == (event.kind, detail):
                return
            image.last = (event.kind, detail)
            if event.kind in ("step", "build"):
                image.state, image.step = "building", detail if event.kind == "step" else f"with {detail}"
            elif event.kind in ("present", "built", "failed"):
                image.state, image.finished = event.kind, time.monotonic()
                image.step = "" if event.kind == "built" else detail
            self._event("image", image=event.image, kind=event.kind, detail=detail)

    def on_record(self, record: ExecutionRecord, node_id: str | None) -> None:
        """A RecordWriter `on_change` hook: one event each time a node's phase or attempt changes. An update
        of the execution itself shows the nodes it already has without announcing them again: a resumed
        run's finished nodes are rows of the live view, not new events."""
        with self._lock:
            if node_id is None:
                for known in list(record.nodes):
                    self._update(record, known)
                return
            if not self._update(record, node_id):
                return
            node = self._nodes[node_id]
            self._event(
                "node",
                execution_id=record.execution_id,
                node=node_id,
                task=node.task,
                phase=node.phase,
                attempt=node.attempt,
                message=node.message,
            )

    def _update(self, record: ExecutionRecord, node_id: str) -> bool:
        """Take one node's state from the record; False when its phase and attempt are what was shown."""
        rec = record.nodes[node_id]
        last = rec.attempts[-1] if rec.attempts else None
        node = self._nodes.setdefault(node_id, _Node(node_id))
        attempt = last.attempt if last is not None else None
        phase = rec.phase.value
        if (phase, attempt) == (node.phase, node.attempt):
            return False
        node.task, node.phase, node.attempt = rec.task or node.task, phase, attempt
        node.message = rec.message or (last.message if last else "")
        node.started = rec.attempts[0].started_at if rec.attempts else node.started
        node.finished = last.finished_at if last is not None and rec.phase.final else None
        return True

    def execution(self, execution_id: str, phase: str, message: str = "", **extra: Any) -> None:
        """The execution's id (first, before anything runs) and its final phase (last, success or not)."""
        with self._lock:
            self.announced = True
            self._event("execution", execution_id=execution_id, phase=phase, message=message, **extra)

    # -- output ------------------------------------------------------------------------------------
    def _event(self, event: str, **fields: Any) -> None:
        if self.mode is ProgressMode.json:
            self.console.file.write(json.dumps({"time": _now(), "event": event, **fields}) + "\n")
            self.console.file.flush()
        elif self.mode is ProgressMode.plain:
            self.console.file.write(f"{_now()} {_plain(event, fields)}\n")
            self.console.file.flush()
        elif event == "execution":  # tty: the id and the final phase are printed lines, not live rows
            self.console.print(_execution_line(fields))

    def _render(self) -> Group:
        from rich.console import Group

        with self._lock:
            parts: list[Any] = []
            if self._images:
                parts.append(self._image_table())
            if self._nodes:
                parts.append(self._node_table())
            return Group(*parts)

    def _image_table(self) -> Table:
        from rich.table import Table
        from rich.text import Text

        table = Table.grid(padding=(0, 2))
        now = time.monotonic()
        for image in self._images.values():
            took = (image.finished or now) - image.started
            state = {"built": f"built in {duration(took)}", "present": "present"}.get(
                image.state, image.state
            )
            colour = {"built": "green", "present": "cyan", "failed": "red"}.get(image.state, "yellow")
            table.add_row(
                Text(image.name, style="bold"),
                Text(state, style=colour),
                Text(image.step if image.state != "present" else "", style="dim"),
                Text(duration(took) if image.finished is None else ""),
            )
        return table

    def _node_table(self) -> Table:
        from rich.table import Table
        from rich.text import Text

        table = Table("node", "task", "phase", "attempt", "elapsed", box=None, padding=(0, 2))
        now = time.time()
        ids = set(self._nodes)
        for node_id in sorted(self._nodes, key=node_sort_key):
            node = self._nodes[node_id]
            depth = sum(1 for i, ch in enumerate(node_id) if ch == "-" and node_id[:i] in ids)
            elapsed = None if node.started is None else (node.finished or now) - node.started
            table.add_row(
                "  " * depth + node_id,
                node.task,
                Text(node.phase, style=_COLOURS.get(node.phase, "")),
                "" if node.attempt is None else str(node.attempt),
                duration(elapsed),
            )
        return table


def _plain(event: str, fields: dict[str, Any]) -> str:
    if event == "image":
        return (
            f"image {fields['image']} {fields['kind']}{': ' + fields['detail'] if fields['detail'] else ''}"
        )
    if event == "node":
        attempt = "" if fields["attempt"] is None else f" attempt {fields['attempt']}"
        message = f": {fields['message']}" if fields["message"] and fields["phase"] == "failed" else ""
        return f"node {fields['node']} {fields['task']} {fields['phase']}{attempt}{message}"
    return _execution_line(fields, markup=False)


def _execution_line(fields: dict[str, Any], *, markup: bool = True) -> str:
    from rich.markup import escape

    name = escape(fields["execution_id"]) if markup else fields["execution_id"]
    text = f"execution {'[bold]' + name + '[/bold]' if markup else name}: {fields['phase']}"
    extra = [f"{k} {v}" for k, v in fields.items() if k not in ("execution_id", "phase", "message") and v]
    if extra:
        text += f" ({', '.join(map(str, extra))})"
    if fields.get("message"):
        text += f": {escape(fields['message']) if markup else fields['message']}"
    return text


def graph_nodes(entity: Any, *, remote: bool) -> list[tuple[str, str]]:
    """The node ids an execution of `entity` will have at its top level, with their entity names (a
    remote run walks the entity as node n0, so a workflow's nodes are n0-n0, n0-n1, …)."""
    if getattr(entity, "node_kind", "") != "workflow":
        return [("n0", entity.name)]
    prefix = "n0-" if remote else ""
    return [(prefix + node.id, node.name) for node in entity.graph.all_nodes()]
