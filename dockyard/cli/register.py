"""`dockyard serialize` and `dockyard register`: versioned JSON of a module's tasks, workflows and launch
plans with images pinned by digest; `register` stores it (and the code bundle) under a project/domain."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer()
err_console = Console(stderr=True)


@app.command()
def serialize(
    file: Path = typer.Argument(..., help="Python file that defines the tasks and workflows."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of stdout."),
    version: str | None = typer.Option(None, "--version", help="Version (default: a digest of code+images)."),
) -> None:
    """Build or find every image, then print the registration document."""
    from dockyard.config import get_settings
    from dockyard.runtime.registration import serialize as make_doc

    text = json.dumps(make_doc(file, get_settings(), version=version), indent=1, sort_keys=True)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n")


@app.command()
def register(
    file: Path = typer.Argument(..., help="Python file that defines the tasks and workflows."),
    project: str = typer.Option("dockyard", "--project", help="Project to register under."),
    domain: str = typer.Option("development", "--domain", help="Domain to register under."),
    version: str | None = typer.Option(None, "--version", help="Version (default: a digest of code+images)."),
) -> None:
    """Serialize, upload the code bundle, and store the document in the blob store."""
    from dockyard.config import get_settings
    from dockyard.runtime.blobstore import open_store
    from dockyard.runtime.registration import register as store_doc

    settings = get_settings()
    doc = store_doc(
        file,
        open_store(settings.store.url, settings),
        settings,
        project=project,
        domain=domain,
        version=version,
    )
    names = [e["name"] for e in doc["workflows"] + doc["launch_plans"] + doc["tasks"]]
    err_console.print(
        f"registered {project}/{domain} version [bold]{doc['version']}[/bold]: {', '.join(names)}"
    )
    print(doc["version"])


schedules = typer.Typer(help="Run registered launch plans on their schedules.")
app.add_typer(schedules, name="schedules")


@schedules.command("serve")
def serve(
    project: str = typer.Option("dockyard", "--project", help="Project whose launch plans run."),
    domain: str = typer.Option("development", "--domain", help="Domain whose launch plans run."),
    poll: float = typer.Option(5.0, "--poll", help="Seconds between looks at the clock and the registry."),
    max_runs: int | None = typer.Option(None, "--max-runs", help="Stop after this many launches."),
) -> None:
    """Launch each scheduled plan when its time comes; notifications go out over SMTP (settings.smtp)."""
    from dockyard.config import get_settings
    from dockyard.runtime.blobstore import open_store
    from dockyard.runtime.scheduler import Scheduler

    settings = get_settings()
    scheduler = Scheduler(open_store(settings.store.url, settings), settings, project, domain)
    err_console.print(
        f"serving {project}/{domain}: {', '.join(scheduler.load()) or 'no scheduled plans yet'}"
    )
    for launch in scheduler.serve(poll_s=poll, max_runs=max_runs):
        print(f"{launch.scheduled_at.isoformat()} {launch.plan} {launch.phase} {launch.execution_id or ''}")
