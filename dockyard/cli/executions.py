"""`dockyard executions`, `status ID`, `logs ID NODE [--follow]` and `outputs ID`: the execution records in
the blob store, read through `dockyard.remote.DockyardRemote`, so they work during and after the driver."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from enum import Enum
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.text import Text

from dockyard.cli.progress import duration, node_sort_key
from dockyard.heap import collector_paused

if TYPE_CHECKING:
    from dockyard.remote import DockyardRemote
    from dockyard.runtime.record import ExecutionRecord, NodeRecord

app = typer.Typer()
console = Console(highlight=False, soft_wrap=True)
if not console.is_terminal:  # piped: whole lines for grep and CI logs, not the 80 columns of no terminal
    console = Console(highlight=False, soft_wrap=True, width=200)

STORE_HELP = "Blob store URL (default: settings store.url)."


class Format(str, Enum):
    text = "text"
    json = "json"


def format_option() -> Any:
    """`--format text|json` (docker's convention); the old `-o/--output text|json` spelling still works."""
    return typer.Option(Format.text, "--format", help="text or json.")


def _remote(store: str | None) -> DockyardRemote:
    from dockyard.remote import DockyardRemote

    return DockyardRemote(store)


def _when(ts: float | None) -> str:
    return "" if ts is None else _utc_second(int(ts))


@functools.cache
def _utc_second(second: int) -> str:
    """Cached: the nodes of a fan-out start within a few seconds of each other."""
    return dt.datetime.fromtimestamp(second, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _print_json(doc: Any) -> None:
    print(json.dumps(doc, indent=1, sort_keys=True))


@app.command("executions")
def executions(
    phase: str | None = typer.Option(None, "--phase", help="Only executions in this phase (running, …)."),
    entity: str | None = typer.Option(None, "--entity", help="Only executions of this workflow or task."),
    limit: int = typer.Option(20, "--limit", help="At most this many, newest first."),
    abort: str | None = typer.Option(None, "--abort", help="Stop the running execution ID."),
    store: str | None = typer.Option(None, "--store", help=STORE_HELP),
    fmt: Format = format_option(),
) -> None:
    """List recent executions: id, entity, phase, start and duration."""
    if abort is not None:
        _abort(abort, store)
        return
    found = _remote(store).list_executions(phase=phase, entity=entity, limit=limit)
    if fmt is Format.json:
        _print_json([s.to_dict() for s in found])
        return
    from rich.table import Table

    table = Table("execution", "entity", "phase", "started (UTC)", "duration", box=None, padding=(0, 2))
    for s in found:
        table.add_row(s.execution_id, s.entity, _phase(s.phase), _when(s.started_at), duration(s.duration))
    console.print(table)


def _abort(execution_id: str, store: str | None) -> None:
    """`--abort ID`: its driver stops the containers and records it (a gone driver's run is settled)."""
    from dockyard.runtime.driver import abort_execution

    record = abort_execution(_remote(store).store, execution_id)
    console.print(f"execution [bold]{execution_id}[/bold]: {record.phase.value}")


def _phase(phase: str) -> Text:
    colour = {"succeeded": "green", "failed": "red", "running": "yellow", "cached": "cyan"}.get(phase, "")
    return Text(phase, style=colour)


def _node_rows(record: ExecutionRecord) -> list[tuple[int, str, NodeRecord | None]]:
    """Every node with its depth, children under their map, dynamic or branch parent (ids `parent-child`);
    a parent with no record of its own (a map node, a sub-workflow) gets a row of its own too, so every
    prefix of an id is a row and a node's depth is the number of its dashes."""
    known = set(record.nodes)
    for node_id in record.nodes:
        parts = node_id.split("-")
        known.update("-".join(parts[:i]) for i in range(1, len(parts)))
    return [(n.count("-"), n, record.nodes.get(n)) for n in sorted(known, key=node_sort_key)]


def _print_columns(header: tuple[str, ...], rows: list[tuple[str, ...]], styled: int) -> None:
    """Aligned columns, column `styled` coloured as `_phase`: what a rich Table prints, at a cost linear
    in the rows (a Table measures and wraps every cell: seconds for the 10,000 nodes of one fan-out)."""
    painted: dict[str, str] = {}

    def paint(value: str) -> str:
        if value not in painted:
            with console.capture() as capture:
                console.print(_phase(value), end="")
            painted[value] = capture.get()
        return painted[value]

    columns = []  # padded column by column: a few calls per column, not per cell
    for i, column in enumerate(zip(header, *rows, strict=True)):
        width = max(map(len, column))
        padded = [cell.ljust(width) for cell in column]
        if i == styled:
            cells = zip(column[1:], padded[1:], strict=True)
            padded[1:] = [paint(cell) + pad[len(cell) :] for cell, pad in cells]
        columns.append(padded)
    text = "\n".join("  ".join(line).rstrip() for line in zip(*columns, strict=True))
    console.file.write(text + "\n")
    console.file.flush()


def _elapsed(node: NodeRecord, now: float) -> float | None:
    if not node.attempts:
        return None
    last = node.attempts[-1]
    return (last.finished_at or now) - node.attempts[0].started_at


@app.command()
def status(
    execution_id: str = typer.Argument(..., help="Execution id printed by `dockyard run --remote`."),
    store: str | None = typer.Option(None, "--store", help=STORE_HELP),
    fmt: Format = format_option(),
    output: str | None = typer.Option(None, "--output", "-o", hidden=True),
) -> None:
    """Show an execution's phase and every node (pending ones included), nested under its parent."""
    if output is not None:  # the spelling of the previous release; -o now always means a file
        from rich.console import Console as _Console

        _Console(stderr=True).print(
            "[yellow]warning:[/yellow] -o/--output json is deprecated: use --format json"
        )
        fmt = Format(output)
    with collector_paused():  # a record of 10,000 nodes and their rows: many objects, no garbage
        _print_status(_remote(store).fetch_execution(execution_id), fmt)


def _print_status(record: ExecutionRecord, fmt: Format) -> None:
    import time

    if fmt is Format.json:
        _print_json(record.model_dump(mode="json"))
        return
    took = duration(record.updated_at - record.created_at) if record.phase.final else "running"
    console.print(
        f"execution [bold]{record.execution_id}[/bold] ({record.workflow}): {record.phase.value}, {took}"
    )
    if record.message:
        console.print(record.message, markup=False)
    header = ("node", "task", "phase", "attempts", "started (UTC)", "duration", "message")
    rows: list[tuple[str, ...]] = []
    now = time.time()
    for depth, node_id, node in _node_rows(record):
        indent = "  " * depth + node_id
        if node is None:  # a parent with no attempts of its own: the workflow, a map or sub-workflow node
            rows.append((indent, record.workflow if node_id == "n0" else "", "", "", "", "", ""))
            continue
        last = node.attempts[-1] if node.attempts else None
        rows.append(
            (
                indent,
                node.task or "",
                node.phase.value,
                str(len(node.attempts)),
                _when(node.attempts[0].started_at if node.attempts else None),
                duration(_elapsed(node, now)),
                " ".join((node.message or (last.message if last else "")).split()),
            )
        )
    _print_columns(header, rows, styled=2)


@app.command()
def logs(
    execution_id: str = typer.Argument(..., help="Execution id."),
    node: str = typer.Argument(..., help="Node id, as `dockyard status` lists it."),
    attempt: int | None = typer.Option(None, "--attempt", help="Attempt number (default: the last)."),
    follow: bool = typer.Option(False, "--follow", "-f", help="Stream a running attempt until it ends."),
    store: str | None = typer.Option(None, "--store", help=STORE_HELP),
) -> None:
    """Print the captured logs of a node's attempt."""
    remote = _remote(store)
    if follow:
        for chunk in remote.follow_logs(execution_id, node):
            sys.stdout.write(chunk)
            sys.stdout.flush()
        return
    print(remote.logs(execution_id, node, attempt), end="")


@app.command()
def outputs(
    execution_id: str = typer.Argument(..., help="Execution id."),
    store: str | None = typer.Option(None, "--store", help=STORE_HELP),
    fmt: Format = format_option(),
) -> None:
    """Print a succeeded execution's outputs (JSON; files and data sets as their URIs)."""
    values = _remote(store).outputs(execution_id)
    if fmt is Format.json:
        _print_json(values)
        return
    for name, value in values.items():
        console.print(f"{name}: {json.dumps(value, ensure_ascii=False)}", markup=False)
