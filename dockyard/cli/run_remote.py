"""`dockyard run --remote`: FILE's entity run in containers, with live progress; and `--registered` runs.

The execution id is printed first (before any build) and again with the final phase, success or not, so
`status`, `logs` and `--resume` always have it. A failure in a container prints the user's traceback from
its error document, without dockyard's frames.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from dockyard.cli.failures import one_line
from dockyard.cli.progress import ProgressMode, ProgressView, graph_nodes
from dockyard.errors import DockyardError

if TYPE_CHECKING:
    from dockyard.config import Settings
    from dockyard.runtime.options import RunOptions
    from dockyard.runtime.orchestrator import RemoteResult

err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def remote_settings(backend: str | None) -> Settings:
    """The settings, with `--backend` applied."""
    from dockyard.cli.inputs import InputError
    from dockyard.config import get_settings

    settings = get_settings()
    if backend is not None:
        if backend not in ("docker", "kubernetes"):
            raise InputError(f"--backend {backend!r}: use docker or kubernetes")
        executor = settings.executor.model_copy(update={"backend": backend})
        settings = settings.model_copy(update={"executor": executor})
    return settings


def _spec_refs(entity: Any, settings: Settings, engine: Any) -> dict[str, Any]:
    """image reference -> ImageSpec of the entity's images, so build steps can say how many packages."""
    from dockyard.runtime.remote import image_specs, loads_locally, tasks_of

    _, specs = image_specs(tasks_of(entity), settings)
    offline = loads_locally(settings)
    try:
        return {engine.image_reference(spec, offline=offline): spec for spec in specs.values()}
    except DockyardError:  # the build reports it, with its context
        return {}


def _watched(view: ProgressView, execution_id: str, settings: Settings, start: Any) -> RemoteResult:
    """Run `start()` under the view; the id when the run begins, the final phase after, the tracebacks of a
    failure. A run refused before it began (its input or source tree) prints only the error."""
    try:
        with view:
            try:
                result: RemoteResult = start()
            except KeyboardInterrupt:
                if view.announced:
                    view.execution(
                        execution_id, "interrupted", message=f"resume it with --resume {execution_id}"
                    )
                raise
            except DockyardError as exc:
                if view.announced:  # refused before it began (bad input): the error line alone
                    view.execution(execution_id, "failed", message=" ".join(str(exc).split()))
                raise
            view.execution(execution_id, result.record.phase.value)
    except DockyardError as exc:
        _print_tracebacks(settings, execution_id)
        single = one_line(exc)
        if single is exc:
            raise
        raise single from exc
    return result


def _print_tracebacks(settings: Settings, execution_id: str) -> None:
    from dockyard.cli.failures import remote_tracebacks
    from dockyard.runtime.blobstore import open_store
    from dockyard.runtime.record import load_record

    try:
        store = open_store(settings.store.url, settings)
        record = load_record(store, execution_id)
        found = remote_tracebacks(store, record)
    except DockyardError:  # no record (the run failed before it began) or no store: nothing to show
        return
    for node_id, text in found:
        err_console.print(f"[bold]node {node_id}[/bold]:")
        err_console.print(text, markup=False)


def run_remote_command(
    file: Path,
    name: str,
    args: list[str],
    *,
    resume: str | None,
    backend: str | None,
    dry_run: bool,
    options: RunOptions,
    copy: str,
    images: dict[str, str],
    progress: ProgressMode,
    wait: bool,
) -> None:
    """`dockyard run --remote FILE ENTITY [inputs]`: the bundle is FILE's project (see cli/project.py).
    With `--dry-run` (kubernetes only) the manifests the run would apply are printed as YAML instead."""
    from dockyard.builders.engine import BuildEngine
    from dockyard.cli.inputs import InputError, parse_inputs, to_json
    from dockyard.runtime.orchestrator import new_execution_id
    from dockyard.runtime.remote import pin_images, run_remote
    from dockyard.sdk import project
    from dockyard.sdk.launch_plan import LaunchPlan

    source = project.locate(file)
    settings = remote_settings(backend)
    if options.service_account and settings.executor.backend == "docker":
        err_console.print(
            "[yellow]warning:[/yellow] --service-account: the docker backend ignores it (Kubernetes)"
        )
    if dry_run and settings.executor.backend != "kubernetes":
        raise InputError("--dry-run prints Kubernetes manifests: add --backend kubernetes")
    target = project.load(file, name)  # imported as at registration: is_container() is False
    inputs = parse_inputs(target, args, f"dockyard run --remote {file} {name}")
    if inputs is None:
        return
    plan = target if isinstance(target, LaunchPlan) else None  # its notifications go out when the run ends
    if plan is not None:
        inputs, target = plan.merged_inputs(inputs), plan.workflow
    pins = pin_images(target, images)
    if dry_run:
        from dockyard.kubernetes.dry_run import dry_run_manifests
        from dockyard.kubernetes.naming import to_yaml

        manifests = dry_run_manifests(target, source_root=source.root, settings=settings, options=options)
        print(to_yaml(manifests), end="")
        return
    execution_id = resume or options.name or new_execution_id()
    if not wait:  # the driver runs as its own process (a Job on Kubernetes); the id is all this prints
        from dockyard.runtime.detached import start_detached, start_on_cluster

        ref = f"{source.module}:{name}"
        start = start_on_cluster if settings.executor.backend == "kubernetes" else start_detached
        start(
            ref,
            inputs,
            source_root=source.root,
            settings=settings,
            execution_id=execution_id,
            options=options,
            copy=copy,
            images=images,
        )
        ProgressView(progress).execution(
            execution_id, "pending", message="detached: dockyard status " + execution_id
        )
        print(execution_id)
        return
    view = ProgressView(progress)
    view.pending(graph_nodes(target, remote=True))
    engine = BuildEngine(settings, on_event=view.on_build)
    view.specs = _spec_refs(target, settings, engine)
    result = _watched(
        view,
        execution_id,
        settings,
        lambda: run_remote(
            target,
            inputs,
            source_root=source.root,
            settings=settings,
            execution_id=execution_id,
            resume=resume is not None,
            engine=engine,
            on_change=view.on_record,
            on_start=lambda: view.execution(execution_id, "running", entity=target.name),
            options=options,
            copy=copy,
            plan=plan,
            pins=pins,
        ),
    )
    print(json.dumps(to_json(result.outputs), indent=2, ensure_ascii=False))


def run_registered_command(ref: str, args: list[str], *, options: RunOptions, progress: ProgressMode) -> None:
    """`dockyard run --registered NAME[:VERSION] [inputs]`: no build, no local source."""
    from dockyard.cli.inputs import parse_inputs, to_json
    from dockyard.runtime.blobstore import open_store
    from dockyard.runtime.orchestrator import new_execution_id
    from dockyard.runtime.registration import fetch, load_registered
    from dockyard.runtime.remote import run_registered

    name, _, version = ref.partition(":")
    settings = remote_settings(None)
    store = open_store(settings.store.url, settings)
    doc = fetch(store, project=options.project, domain=options.domain, name=name, version=version or None)
    entity = load_registered(doc, store, name)
    inputs = parse_inputs(entity, args, f"dockyard run --registered {ref}")
    if inputs is None:
        return
    execution_id = options.name or new_execution_id()
    view = ProgressView(progress)
    view.execution(execution_id, "running", entity=name, version=doc["version"])
    result = _watched(
        view,
        execution_id,
        settings,
        lambda: run_registered(
            doc,
            entity,
            inputs,
            settings=settings,
            execution_id=execution_id,
            on_change=view.on_record,
            options=options,
        ),
    )
    print(json.dumps(to_json(result.outputs), indent=2, ensure_ascii=False))


def resume_command(
    execution_id: str, *, progress: ProgressMode, backend: str | None, wait: bool, options: RunOptions
) -> None:
    """`dockyard run --resume ID` (no FILE): continue a recorded execution with its recorded inputs, images,
    bundle and run options (flags given again win) under the same live view as a fresh run
    (`runtime.detached.resume_execution`); `--no-wait` leaves it to a detached driver."""
    from dockyard.cli.inputs import to_json
    from dockyard.runtime.detached import resume_execution

    settings = remote_settings(backend)
    view = ProgressView(progress)
    if not wait:
        resume_execution(execution_id, settings=settings, wait=False, options=options)
        view.execution(execution_id, "pending", message="resumed by a detached driver")
        print(execution_id)
        return

    def started(entity: Any) -> None:  # the record was found resumable: only now is the id announced
        view.execution(execution_id, "running", message="resumed")
        view.pending(graph_nodes(entity, remote=True))

    result = _watched(
        view,
        execution_id,
        settings,
        lambda: resume_execution(
            execution_id, settings=settings, options=options, on_change=view.on_record, on_entity=started
        ),
    )
    print(json.dumps(to_json(result.outputs), indent=2, ensure_ascii=False))
