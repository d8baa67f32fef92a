"""`dockyard run FILE ENTITY [--input value ...]`: run a task, workflow or launch plan, here or remotely.

pyflyte's flags: `-r/--remote`, `--copy`, `-i/--image`, `--env`, `--name`, `-p/--project`, `-d/--domain`,
`--raw-output-data-prefix`, `--service-account`, `--labels`, `--annotations`, `--overwrite-cache` and
`--dump-snippet`. FILE is imported through its package from the project root (`cli/project.py`), as pyflyte
does, so a multi-module project works here and in containers. The entity's inputs become options built
from its interface (`FILE ENTITY --help`); `FILE --help` lists the file's entities. The result is printed as
JSON on stdout; progress and messages go to stderr.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from enum import Enum
from pathlib import Path
from typing import Any

import click
import typer

from dockyard.cli.progress import PROGRESS_HELP, ProgressMode
from dockyard.errors import DockyardError

app = typer.Typer()


class Copy(str, Enum):
    auto = "auto"
    all = "all"
    none = "none"


def key_values(items: list[str], flag: str) -> dict[str, str]:
    """`K=V` options (repeatable, or comma-separated as pyflyte's `--labels a=1,b=2`) as a dict."""
    from dockyard.cli.inputs import InputError

    found: dict[str, str] = {}
    for item in items:
        for part in item.split(",") if flag != "--env" else [item]:
            key, sep, value = part.partition("=")
            if not sep or not key.strip():
                raise InputError(f"{flag} {part!r}: expected KEY=VALUE")
            found[key.strip()] = value
    return found


def _images(items: list[str]) -> dict[str, str]:
    """`-i NAME=REF` (tasks whose ImageSpec is named NAME) or `-i REF` (tasks that name no image)."""
    found: dict[str, str] = {}
    for item in items:
        name, sep, ref = item.partition("=")
        found[name if sep else ""] = ref if sep else item
        if not found[name if sep else ""]:
            from dockyard.cli.inputs import InputError

            raise InputError(f"--image {item!r}: expected NAME=REF or REF")
    return found


def _load(file: Path, name: str) -> Any:
    """The task, workflow or launch plan `name` of `file`, imported through its package.

    The file is imported as part of the local execution, so `ImageSpec.is_container()` guards at module
    level (the seed's `if image.is_container(): import ...`) import what the task bodies will use.
    """
    from dockyard.cli.inputs import InputError
    from dockyard.sdk import project
    from dockyard.sdk.context import ExecutionIdentifier, ExecutionParameters, task_context
    from dockyard.sdk.entities import Entity
    from dockyard.sdk.launch_plan import LaunchPlan

    loading = ExecutionParameters(ExecutionIdentifier("local", "local", "dockyard-run"), local=True)
    with task_context(loading):
        entity = project.load(file, name)
    if not isinstance(entity, Entity | LaunchPlan):
        raise InputError(
            f"{file}: '{name}' is a {type(entity).__name__}, not a task, workflow or launch plan"
        )
    return entity


def _show_event(event: Any) -> None:
    """Cache hits, cache writes and retries on stderr, so stdout stays pure JSON."""
    from rich.console import Console

    messages = {
        "cache_hit": "cache hit",
        "cache_put": "cached",
        "retry": "retrying",
        "map_failure": "map item failed",
    }
    if event.kind in messages:
        detail = f" ({event.detail})" if event.detail else ""
        Console(stderr=True, soft_wrap=True).print(
            f"[dim]{messages[event.kind]}: task {event.task}{detail}[/dim]", highlight=False
        )


@contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    """`--env` for a local run: set while it runs, as a container would have them."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _run_local(entity: Any, inputs: dict[str, Any], *, overwrite_cache: bool, raw_prefix: str | None) -> Any:
    """Execute in this process; a failure in user code becomes one line (its traceback goes to stderr)."""
    from dockyard.cli.failures import local_traceback, one_line
    from dockyard.sdk import local
    from dockyard.sdk.launch_plan import LaunchPlan
    from dockyard.sdk.types.transfer import use_raw_output_dir

    plan = entity if isinstance(entity, LaunchPlan) else None
    if plan is not None:
        inputs, entity = plan.merged_inputs(inputs), plan.workflow
    phase = "FAILED"
    try:
        with use_raw_output_dir(Path(raw_prefix)) if raw_prefix else nullcontext():
            outputs = local.run(entity, inputs, overwrite_cache=overwrite_cache, on_event=_show_event)
        phase = "SUCCEEDED"
        return outputs
    except DockyardError as exc:
        single = one_line(exc)
        if single is exc:
            raise
        raise single from exc
    except Exception as exc:
        from dockyard.errors import ExecutionError

        typer.echo(local_traceback(exc), err=True)
        message = " ".join(str(exc).split())
        if entity.name not in message:
            message = f"{entity.name}: {message}"
        raise ExecutionError(f"{type(exc).__name__}: {message}") from exc
    finally:
        if plan is not None and plan.notifications:  # a local run of a plan is one of its executions too
            from dockyard.config import get_settings
            from dockyard.runtime.notifications import notify

            notify(
                get_settings(),
                None,
                plan=plan.name,
                notifications=plan.notifications,
                phase=phase,
                execution_id=None,
                detail=" (a local run)",
            )


def _list_entities(file: Path) -> str:
    """`dockyard run FILE --help`: the file's tasks, workflows and launch plans."""
    from dockyard.cli.inputs import describe
    from dockyard.sdk import project

    lines = [f"Usage: dockyard run [OPTIONS] {file} ENTITY [INPUTS]...", "", "Entities:"]
    for attr, value in sorted(project.entities_of(file).items()):
        lines.append(f"  {attr:<24} {describe(value).splitlines()[0]}")
    return "\n".join(lines)


def _snippet(file: Path, entity: str, project: str, domain: str) -> str:
    """`--dump-snippet`: Python that runs this entity remotely and reads its outputs (dockyard.remote)."""
    return "\n".join(
        [
            "from dockyard.remote import DockyardRemote",
            "",
            f"remote = DockyardRemote(project={project!r}, domain={domain!r})",
            f"execution = remote.run_file({str(file)!r}, {entity!r}, inputs={{}})",
            "print(execution.execution_id, execution.phase, remote.outputs(execution.execution_id))",
        ]
    )


@app.command(
    "run",
    context_settings={
        "allow_extra_args": True,
        "ignore_unknown_options": True,
        "allow_interspersed_args": False,  # options after FILE are the entity's inputs, as with pyflyte
        "help_option_names": [],
    },
)
def run(
    ctx: typer.Context,
    file: Path | None = typer.Argument(None, help="Python file that defines the entity.", show_default=False),
    entity: str | None = typer.Argument(
        None, help="Task, workflow or launch plan to run.", show_default=False
    ),
    remote: bool = typer.Option(
        False, "-r", "--remote", help="Build images and run each task in a container."
    ),
    copy: Copy = typer.Option(
        Copy.auto, "--copy", help="Code shipped: auto (the modules loaded from the project), all, or none."
    ),
    image: list[str] = typer.Option(
        [], "-i", "--image", help="NAME=REF: run NAME's tasks in REF (no build)."
    ),
    env: list[str] = typer.Option([], "--env", "--envvars", help="K=V in every container (not in tags)."),
    name: str | None = typer.Option(None, "--name", help="Execution id to use (default: a new one)."),
    project: str = typer.Option("dockyard", "-p", "--project", help="Project of the execution."),
    domain: str = typer.Option("development", "-d", "--domain", help="Domain of the execution."),
    raw_prefix: str | None = typer.Option(
        None, "--raw-output-data-prefix", "--raw-data-prefix", help="Where raw outputs (files, frames) go."
    ),
    service_account: str | None = typer.Option(
        None, "--service-account", help="Kubernetes service account of the task pods."
    ),
    labels: list[str] = typer.Option([], "--labels", "--label", help="K=V labels of the execution."),
    annotations: list[str] = typer.Option(
        [], "--annotations", "--annotation", help="K=V annotations of the execution."
    ),
    overwrite_cache: bool = typer.Option(
        False, "--overwrite-cache", help="Run cached tasks again and replace their cached outputs."
    ),
    dump_snippet: bool = typer.Option(
        False, "--dump-snippet", help="Print Python (dockyard.remote) that runs this; run nothing."
    ),
    wait: bool = typer.Option(
        True, "--wait/--no-wait", help="With --remote: wait for the end, or print the id and return."
    ),
    resume: str | None = typer.Option(None, "--resume", help="Resume a remote execution by id."),
    registered: str | None = typer.Option(
        None, "--registered", help="Run a registered NAME[:VERSION] remotely (no FILE)."
    ),
    backend: str | None = typer.Option(
        None, "--backend", help="Where --remote tasks run: docker or kubernetes (default: executor.backend)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="With --remote --backend kubernetes: print the manifests, apply nothing."
    ),
    progress: ProgressMode = typer.Option(ProgressMode.auto, "--progress", help=PROGRESS_HELP),
) -> None:
    """Run a task, workflow or launch plan; inputs are options (see FILE ENTITY --help)."""
    from dockyard.cli import run_remote
    from dockyard.cli.inputs import InputError, parse_inputs, to_json
    from dockyard.runtime.options import RunOptions

    options = RunOptions(
        name=name,
        project=project,
        domain=domain,
        env=key_values(env, "--env"),
        labels=key_values(labels, "--labels"),
        annotations=key_values(annotations, "--annotations"),
        service_account=service_account,
        raw_output_prefix=raw_prefix,
        overwrite_cache=overwrite_cache,
    )
    if registered:  # no FILE: whatever follows the run's options are the inputs
        extra = [str(a) for a in (file, entity) if a is not None] + list(ctx.args)
        run_remote.run_registered_command(registered, extra, options=options, progress=progress)
        return
    if file is not None and str(file).startswith("-") and str(file) not in ("-h", "--help"):
        raise click.NoSuchOption(str(file))  # an unknown option before FILE, kept by ignore_unknown_options
    if resume and file is None:
        run_remote.resume_command(resume, progress=progress, backend=backend, wait=wait, options=options)
        return
    asked_help = {"--help", "-h"} & ({str(file), str(entity)} | set(ctx.args))
    if str(file) in ("--help", "-h"):
        file = None
    if file is not None and entity in (None, "--help", "-h") and asked_help:
        typer.echo(_list_entities(file))
        return
    if file is None or entity is None:
        if asked_help:
            typer.echo(ctx.get_help())
            return
        raise InputError(
            f"missing {'FILE' if file is None else 'ENTITY'}: dockyard run FILE ENTITY [--input value ...]"
        )
    if dump_snippet:
        typer.echo(_snippet(file, entity, project, domain))
        return
    if remote or resume or dry_run:
        run_remote.run_remote_command(
            file,
            entity,
            list(ctx.args),
            resume=resume,
            backend=backend,
            dry_run=dry_run,
            options=options,
            copy=copy.value,
            images=_images(image),
            progress=progress,
            wait=wait,
        )
        return
    target = _load(file, entity)
    inputs = parse_inputs(target, list(ctx.args), f"dockyard run {file} {entity}")
    if inputs is None:
        return
    with _environment(options.env):
        result = _run_local(target, inputs, overwrite_cache=overwrite_cache, raw_prefix=raw_prefix)
    typer.echo(json.dumps(to_json(result), indent=2, ensure_ascii=False))
