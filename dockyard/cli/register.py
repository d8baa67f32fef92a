"""`dockyard serialize` and `dockyard register`: versioned JSON of a module's tasks, workflows and launch
plans with images pinned by digest; `register` stores it (and the code bundle) under a project/domain."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from dockyard.cli.progress import PROGRESS_HELP, ProgressMode, ProgressView
from dockyard.errors import ConfigError, ExecutionError

if TYPE_CHECKING:
    from dockyard.config import Settings
    from dockyard.runtime.blobstore.base import Store

app = typer.Typer()
err_console = Console(stderr=True)


TARGETS_HELP = "Python files or package folders (every entity found is registered under one version)."


@app.command()
def serialize(
    targets: list[Path] = typer.Argument(..., help=TARGETS_HELP, show_default=False),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of stdout."),
    version: str | None = typer.Option(None, "--version", help="Version (default: a digest of code+images)."),
    fmt: str = typer.Option("json", "--format", help="json (dockyard's document) or flyteidl (pyflyte's)."),
    folder: Path | None = typer.Option(
        None, "--folder", "-f", help="flyteidl: the folder for the documents."
    ),
    image: str | None = typer.Option(None, "--image", help="flyteidl: image of tasks that name none."),
    progress: ProgressMode = typer.Option(ProgressMode.auto, "--progress", help=PROGRESS_HELP),
) -> None:
    """Build or find every image, then print the registration document (or write FlyteIDL documents)."""
    from dockyard.config import get_settings

    if fmt == "flyteidl":
        from dockyard.cli.flyte import serialize_flyteidl

        return serialize_flyteidl([str(t) for t in targets], folder or Path("."), image)
    if fmt != "json":
        raise ConfigError(f"--format {fmt!r}: use json or flyteidl")
    text = json.dumps(_document(targets, get_settings(), version, progress), indent=1, sort_keys=True)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n")


@app.command()
def register(
    targets: list[Path] = typer.Argument(..., help=TARGETS_HELP, show_default=False),
    project: str = typer.Option("dockyard", "-p", "--project", help="Project to register under."),
    domain: str = typer.Option("development", "-d", "--domain", help="Domain to register under."),
    version: str | None = typer.Option(None, "--version", help="Version (default: a digest of code+images)."),
    schedules: str | None = typer.Option(
        None, "--schedules", help="kubernetes: run each scheduled launch plan as a CronJob."
    ),
    schedule_image: str | None = typer.Option(
        None, "--schedule-image", help="Image of the CronJobs (default: kubernetes.schedule_image)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="With --schedules kubernetes: print the CronJobs; store and apply nothing."
    ),
    flyte: str | None = typer.Option(
        None, "--flyte", help="Register with FlyteAdmin at host:port instead (FlyteIDL, fast registration)."
    ),
    activate_launchplans: bool = typer.Option(
        False, "--activate-launchplans", help="Activate every launch plan, even a deactivated one."
    ),
    insecure: bool = typer.Option(False, "--insecure", help="With --flyte: plain gRPC, no TLS."),
    image: str | None = typer.Option(None, "--image", help="With --flyte: image of tasks that name none."),
    progress: ProgressMode = typer.Option(ProgressMode.auto, "--progress", help=PROGRESS_HELP),
) -> None:
    """Serialize, upload the code bundle, and store the document in the blob store (or FlyteAdmin's)."""
    if flyte is not None:
        from dockyard.cli.flyte import register_flyte

        target = (flyte, project, domain, version)
        paths = [str(t) for t in targets]
        return register_flyte(paths, target, image, insecure=insecure, activate=activate_launchplans)
    from dockyard.config import get_settings
    from dockyard.runtime.blobstore import open_store
    from dockyard.runtime.blobstore.local import LocalStore
    from dockyard.runtime.registration import publish
    from dockyard.sdk.project import source_root

    if schedules not in (None, "kubernetes"):
        raise ConfigError(f"--schedules {schedules!r}: only 'kubernetes' is supported")
    if dry_run and schedules is None:
        raise ConfigError("--dry-run prints the CronJobs of --schedules kubernetes: add it")
    settings = get_settings()
    store = open_store(settings.store.url, settings)
    if schedules == "kubernetes" and isinstance(store, LocalStore):
        raise ConfigError(f"store.url {store.url}: CronJob pods cannot reach a local folder; use s3://")
    doc = _document(targets, settings, version, progress)
    cron_jobs = []
    if schedules == "kubernetes":  # checked before anything is stored: a bad schedule registers nothing
        cron_jobs = _cron_jobs(doc, settings, store, project, domain, schedule_image)
    if dry_run:
        from dockyard.kubernetes.naming import to_yaml

        if not cron_jobs:
            err_console.print(f"{', '.join(map(str, targets))}: no launch plan has a schedule")
        print(to_yaml(cron_jobs), end="")
        return
    root = source_root([str(t) for t in targets])
    doc = publish(doc, root, store, project=project, domain=domain, activate=activate_launchplans)
    names = [e["name"] for e in doc["workflows"] + doc["launch_plans"] + doc["tasks"]]
    err_console.print(
        f"registered {project}/{domain} version [bold]{doc['version']}[/bold]: {', '.join(names)}"
    )
    if cron_jobs:
        from dockyard.kubernetes.cluster import Cluster

        cluster = Cluster(settings.kubernetes, ExecutionError)
        for manifest in cron_jobs:
            created = cluster.apply_cron_job(manifest)
            where = f"{settings.kubernetes.namespace}/{manifest['metadata']['name']}"
            err_console.print(f"CronJob {where} {'created' if created else 'replaced'}", highlight=False)
    print(doc["version"])


def _document(
    targets: list[Path], settings: Settings, version: str | None, progress: ProgressMode
) -> dict[str, Any]:
    """The registration document, with the image builds it needs shown as `--progress` says."""
    from dockyard.builders.engine import BuildEngine
    from dockyard.runtime.registration import serialize as make_doc

    view = ProgressView(progress)
    engine = BuildEngine(settings, on_event=view.on_build)
    with view:
        return make_doc(targets, settings, version=version, engine=engine)


def _cron_jobs(
    doc: dict[str, Any],
    settings: Settings,
    store: Store,
    project: str,
    domain: str,
    image: str | None,
) -> list[dict[str, Any]]:
    """The CronJobs of the document's scheduled plans (the module was just imported by serialize)."""
    from dockyard.kubernetes.schedules import cron_jobs, schedule_image
    from dockyard.runtime.registration import module_entities

    plans = [p for name in doc["modules"] for p in module_entities(sys.modules[name])[2]]
    chosen = schedule_image(doc, settings, image)
    return cron_jobs(doc, plans, settings, store, project=project, domain=domain, image=chosen)


schedules = typer.Typer(help="Run registered launch plans on their schedules.")
app.add_typer(schedules, name="schedules")


@schedules.command("serve")
def serve(
    project: str = typer.Option("dockyard", "-p", "--project", help="Project whose launch plans run."),
    domain: str = typer.Option("development", "-d", "--domain", help="Domain whose launch plans run."),
    poll: float = typer.Option(5.0, "--poll", help="Seconds between looks at the clock and the registry."),
    max_runs: int | None = typer.Option(None, "--max-runs", help="Stop after this many launches."),
) -> None:
    """Launch each scheduled plan when its time comes; notifications go out over SMTP (settings.smtp)."""
    from dockyard.config import get_settings
    from dockyard.runtime.blobstore import open_store
    from dockyard.runtime.scheduler import Scheduler

    settings = get_settings()
    scheduler = Scheduler(open_store(settings.store.url, settings), settings, project, domain)

    def show(plans: dict[str, Any]) -> None:
        times = ", ".join(f"{name} next at {at.isoformat()}" for name, at in plans.items())
        err_console.print(f"serving {project}/{domain}: {times or 'no scheduled plans yet'}")

    for launch in scheduler.serve(poll_s=poll, max_runs=max_runs, on_plans=show):
        print(f"{launch.scheduled_at.isoformat()} {launch.plan} {launch.phase} {launch.execution_id or ''}")


@schedules.command("kickoff")
def kickoff(
    name: str = typer.Argument(..., help="Registered launch plan to launch once."),
    project: str = typer.Option("dockyard", "-p", "--project", help="Project it is registered under."),
    domain: str = typer.Option("development", "-d", "--domain", help="Domain it is registered under."),
    version: str | None = typer.Option(None, "--version", help="Registered version (default: the latest)."),
    at: str | None = typer.Option(
        None, "--at", help="Scheduled time (ISO 8601); default: now, truncated to the minute (UTC)."
    ),
) -> None:
    """Launch a plan once for one scheduled time, as `schedules serve` does: what a CronJob's Job runs.

    The time goes to the input named by DOCKYARD_KICKOFF_TIME_INPUT (set by the CronJob), else to the
    plan's kickoff_time_input_arg; notifications go out as with `serve`.
    """
    import os
    from datetime import datetime, timezone

    from dockyard.cli.inputs import InputError
    from dockyard.config import get_settings
    from dockyard.kubernetes.schedules import kickoff_time
    from dockyard.runtime.blobstore import open_store
    from dockyard.runtime.scheduler import Scheduler
    from dockyard.sdk.types.from_text import parse_datetime

    try:
        when = parse_datetime(at) if at else kickoff_time(datetime.now(timezone.utc))
    except ValueError:
        raise InputError(f"--at {at!r}: not an ISO 8601 time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    settings = get_settings()
    scheduler = Scheduler(open_store(settings.store.url, settings), settings, project, domain)
    launch = scheduler.kickoff(
        name, when, version=version, kickoff_input=os.environ.get("DOCKYARD_KICKOFF_TIME_INPUT") or None
    )
    print(f"{launch.scheduled_at.isoformat()} {launch.plan} {launch.phase} {launch.execution_id or ''}")
    if launch.phase != "SUCCEEDED":
        raise ExecutionError(f"launch plan {name} at {launch.scheduled_at.isoformat()}: {launch.message}")


@schedules.command("list")
def list_plans(
    project: str = typer.Option("dockyard", "-p", "--project", help="Project of the launch plans."),
    domain: str = typer.Option("development", "-d", "--domain", help="Domain of the launch plans."),
    fmt: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """Every registered launch plan with a schedule: version, schedule, active, next fire time."""
    from dockyard.config import get_settings
    from dockyard.runtime.blobstore import open_store
    from dockyard.runtime.scheduler import list_schedules

    settings = get_settings()
    found = list_schedules(open_store(settings.store.url, settings), project, domain)
    if fmt == "json":
        print(json.dumps([s.to_dict() for s in found], indent=1, sort_keys=True))
        return
    for info in found:
        when = info.next_at.isoformat() if info.next_at else "-"
        state = "active" if info.active else "inactive"
        print(
            f"{info.name}  {info.version}  {json.dumps(info.schedule, sort_keys=True)}  {state}  next {when}"
        )


def _set_active(name: str, project: str, domain: str, active: bool) -> None:
    from dockyard.config import get_settings
    from dockyard.runtime.blobstore import open_store
    from dockyard.runtime.scheduler import set_active

    settings = get_settings()
    set_active(open_store(settings.store.url, settings), project, domain, name, active)
    err_console.print(f"{project}/{domain} {name}: {'active' if active else 'inactive'}", highlight=False)


@schedules.command("activate")
def activate(
    name: str = typer.Argument(..., help="Registered launch plan with a schedule."),
    project: str = typer.Option("dockyard", "-p", "--project", help="Project it is registered under."),
    domain: str = typer.Option("development", "-d", "--domain", help="Domain it is registered under."),
) -> None:
    """Let `schedules serve` launch this plan on its schedule again."""
    _set_active(name, project, domain, True)


@schedules.command("deactivate")
def deactivate(
    name: str = typer.Argument(..., help="Registered launch plan with a schedule."),
    project: str = typer.Option("dockyard", "-p", "--project", help="Project it is registered under."),
    domain: str = typer.Option("development", "-d", "--domain", help="Domain it is registered under."),
) -> None:
    """Stop launching this plan on its schedule (its registration stays)."""
    _set_active(name, project, domain, False)
