"""`dockyard status EXEC_ID` and `dockyard logs EXEC_ID NODE`: read a remote execution's record from the
blob store, so they work after (and independently of) the driver process."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from dockyard.errors import ExecutionError

app = typer.Typer()
console = Console()
err_console = Console(stderr=True)


def _when(ts: float | None) -> str:
    return "" if ts is None else dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%H:%M:%S")


@app.command()
def status(
    execution_id: str = typer.Argument(..., help="Execution id printed by `dockyard run --remote`."),
    store: str | None = typer.Option(None, "--store", help="Blob store URL (default: settings store.url)."),
    output: str = typer.Option("text", "--output", "-o", help="text or json"),
) -> None:
    """Show an execution's phase and each node's state, attempts and timings."""
    from dockyard.runtime.blobstore import open_store
    from dockyard.runtime.record import load_record

    record = load_record(open_store(store), execution_id)
    if output == "json":
        print(json.dumps(record.model_dump(mode="json"), indent=1, sort_keys=True))
        return
    console.print(f"execution [bold]{record.execution_id}[/bold] ({record.workflow}): {record.phase.value}")
    if record.message:
        console.print(record.message, highlight=False, soft_wrap=True)
    table = Table("node", "task", "phase", "attempts", "started", "finished", "message")
    for node in record.nodes.values():
        first = node.attempts[0] if node.attempts else None
        last = node.attempts[-1] if node.attempts else None
        table.add_row(
            node.node_id,
            node.task or "",
            node.phase.value,
            str(len(node.attempts)),
            _when(first.started_at if first else None),
            _when(last.finished_at if last else None),
            node.message or (last.message if last else ""),
        )
    console.print(table)


@app.command()
def logs(
    execution_id: str = typer.Argument(..., help="Execution id."),
    node: str = typer.Argument(..., help="Node id, as `dockyard status` lists it."),
    attempt: int | None = typer.Option(None, "--attempt", help="Attempt number (default: the last)."),
    store: str | None = typer.Option(None, "--store", help="Blob store URL (default: settings store.url)."),
) -> None:
    """Print the captured logs of a node's attempt."""
    from dockyard.runtime.blobstore import open_store
    from dockyard.runtime.record import load_record

    blobs = open_store(store)
    record = load_record(blobs, execution_id)
    found = record.nodes.get(node)
    if found is None:
        raise ExecutionError(f"execution {execution_id}: no node {node!r} (nodes: {', '.join(record.nodes)})")
    attempts = [a for a in found.attempts if attempt is None or a.attempt == attempt]
    if not attempts or attempts[-1].logs_uri is None:
        raise ExecutionError(f"execution {execution_id} node {node}: no logs for attempt {attempt}")
    print(blobs.read_bytes(attempts[-1].logs_uri).decode(errors="replace"), end="")


def run_remote_command(
    file: Path,
    name: str,
    args: list[str],
    *,
    resume: str | None,
    backend: str | None = None,
    dry_run: bool = False,
) -> None:
    """`dockyard run --remote FILE ENTITY [inputs]`: the source root is FILE's folder. With `--dry-run`
    (kubernetes only) the manifests the run would apply are printed as YAML instead."""
    from dockyard.cli.run import InputError, parse_inputs, to_json
    from dockyard.config import get_settings
    from dockyard.runtime.remote import run_remote
    from dockyard.sdk.entities import load_entity
    from dockyard.sdk.launch_plan import LaunchPlan

    if not file.is_file():
        raise InputError(f"{file}: no such file")
    settings = get_settings()
    if backend is not None:
        if backend not in ("docker", "kubernetes"):
            raise InputError(f"--backend {backend!r}: use docker or kubernetes")
        executor = settings.executor.model_copy(update={"backend": backend})
        settings = settings.model_copy(update={"executor": executor})
    if dry_run and settings.executor.backend != "kubernetes":
        raise InputError("--dry-run prints Kubernetes manifests: add --backend kubernetes")
    target = load_entity(str(file), name)  # imported as at registration: is_container() is False
    inputs = parse_inputs(target, args, f"dockyard run --remote {file} {name}")
    if inputs is None:
        return
    if isinstance(target, LaunchPlan):
        inputs, target = target.merged_inputs(inputs), target.workflow
    if dry_run:
        from dockyard.kubernetes.dry_run import dry_run_manifests
        from dockyard.kubernetes.naming import to_yaml

        manifests = dry_run_manifests(target, source_root=file.resolve().parent, settings=settings)
        print(to_yaml(manifests), end="")
        return
    result = run_remote(
        target,
        inputs,
        source_root=file.resolve().parent,
        settings=settings,
        execution_id=resume,
        resume=resume is not None,
    )
    err_console.print(f"execution [bold]{result.execution_id}[/bold]: {result.record.phase.value}")
    print(json.dumps(to_json(result.outputs), indent=2, ensure_ascii=False))


def run_registered_command(ref: str, args: list[str], *, project: str, domain: str) -> None:
    """`dockyard run --remote --registered NAME[:VERSION] [inputs]`: no build, no local source."""
    from dockyard.cli.run import parse_inputs, to_json
    from dockyard.config import get_settings
    from dockyard.runtime.blobstore import open_store
    from dockyard.runtime.registration import fetch, load_registered
    from dockyard.runtime.remote import run_registered

    name, _, version = ref.partition(":")
    settings = get_settings()
    store = open_store(settings.store.url, settings)
    doc = fetch(store, project=project, domain=domain, name=name, version=version or None)
    entity = load_registered(doc, store, name)
    inputs = parse_inputs(entity, args, f"dockyard run --remote --registered {ref}")
    if inputs is None:
        return
    result = run_registered(doc, entity, inputs, settings=settings)
    err_console.print(
        f"execution [bold]{result.execution_id}[/bold] ({doc['version']}): {result.record.phase.value}"
    )
    print(json.dumps(to_json(result.outputs), indent=2, ensure_ascii=False))
