"""Runs that outlive the terminal: `run --remote --no-wait`, and `--resume ID` without the source file.

`start_detached` writes the execution's record (phase `pending`), inputs and graph, then starts the driver
as its own process (`python -m dockyard.runtime.detached`, a new session, so closing the terminal or
cancelling the CI job does not stop it) and returns the execution id at once. The driver's spec, settings
included, travels on its stdin, never in argv; its output goes to `<build.work_dir>/../drivers/<id>.log`.
The driver heartbeats into the store (`driver.Heartbeat`), so a killed one is noticed by the next reader.

`resume_execution` continues a recorded execution from its own bundle, images and recorded inputs: the
entity is imported from the bundle, finished nodes are not run again, and every new attempt gets the next
number (the interrupted attempt's logs stay where they are).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dockyard.config import Settings, get_settings
from dockyard.errors import ConfigError, StoreError
from dockyard.runtime.blobstore import open_store
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.driver import Heartbeat, driven_elsewhere, settle
from dockyard.runtime.options import RunOptions
from dockyard.runtime.orchestrator import RemoteResult, new_execution_id, open_execution, refuse_taken
from dockyard.runtime.phase import Phase
from dockyard.runtime.record import RecordListener, RecordWriter, load_record


def _target(entity: Any, inputs: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """A launch plan runs its workflow with the plan's inputs merged in."""
    from dockyard.sdk.launch_plan import LaunchPlan

    if isinstance(entity, LaunchPlan):
        return entity.workflow, entity.merged_inputs(inputs)
    return entity, inputs


def driver_log(settings: Settings, execution_id: str) -> Path:
    """Where a detached driver's own output goes (its tasks' logs are in the store, as always)."""
    return settings.build.work_dir.parent / "drivers" / f"{execution_id}.log"


def start_detached(
    ref: str,
    inputs: dict[str, Any],
    *,
    source_root: Path,
    settings: Settings,
    execution_id: str | None = None,
    options: RunOptions | None = None,
    copy: str = "all",
    images: dict[str, str] | None = None,
) -> str:
    """Record the execution (with the run's `options`) and start its driver in the background, which
    ships `copy` and runs the `-i` `images` as a waited run does; returns the execution id."""
    from dockyard.runtime.remote import check_options, pin_images
    from dockyard.sdk.entities import load_entity

    entity, inputs = _target(load_entity(ref), inputs)
    pin_images(entity, images or {})  # refused here, before the id is printed, as a waited run does
    check_options(settings, options)
    store = open_store(settings.store.url, settings)
    execution_id = execution_id or new_execution_id()
    refuse_taken(store, execution_id)
    open_execution(
        entity, inputs, store=store, execution_id=execution_id, phase=Phase.PENDING, options=options
    )
    spec = {
        "ref": ref,
        "source_root": str(source_root),
        "execution_id": execution_id,
        "copy": copy,
        "images": images or {},
    }
    _spawn(spec, settings)
    return execution_id


def start_on_cluster(
    ref: str,
    inputs: dict[str, Any],
    *,
    source_root: Path,
    settings: Settings,
    execution_id: str | None = None,
    options: RunOptions | None = None,
    copy: str = "all",
    images: dict[str, str] | None = None,
    engine: Any = None,
    cluster: Any = None,
) -> str:
    """`--no-wait` on Kubernetes: build the images and upload the bundle (`copy`) here (the cluster cannot
    read the source), record the execution with its `options`, then create the driver Job
    (`kubernetes.driver_job`), which resumes it with them; returns the id."""
    from dockyard.errors import ExecutionError
    from dockyard.kubernetes.driver_job import driver_job
    from dockyard.kubernetes.schedules import driver_env
    from dockyard.runtime.bundle import ship_code
    from dockyard.runtime.orchestrator import DEFAULT_IMAGE
    from dockyard.runtime.raw_container import refuse_raw
    from dockyard.runtime.remote import check_options, ensure_images, make_executor, pin_images, tasks_of
    from dockyard.sdk.entities import load_entity

    entity, inputs = _target(load_entity(ref), inputs)
    pins = pin_images(entity, images or {})
    store = open_store(settings.store.url, settings)
    refuse_raw(tasks_of(entity), settings.executor.backend)
    make_executor(settings, store)  # the kubernetes backend's preflight, before any build
    check_options(settings, options)
    if execution_id:
        refuse_taken(store, execution_id)
    image = settings.kubernetes.schedule_image
    bundle = ship_code(source_root, store, copy)
    pinned = {**pins, **ensure_images(tasks_of(entity), settings, engine)}
    image = image or pinned.get(DEFAULT_IMAGE)
    if not image:
        raise ConfigError(
            "kubernetes.schedule_image: unset, and no task runs dockyard's default image (set it: the driver "
            "Job needs an image with dockyard)"
        )
    execution_id = execution_id or new_execution_id()
    record = open_execution(
        entity, inputs, store=store, execution_id=execution_id, phase=Phase.PENDING, options=options
    )
    record.images, record.bundle_uri = pinned, bundle
    RecordWriter(store, record).save()
    if cluster is None:
        from dockyard.kubernetes.cluster import Cluster

        cluster = Cluster(settings.kubernetes, ExecutionError)
    cluster.create(driver_job(execution_id, image=image, env=driver_env(settings, store), settings=settings))
    return execution_id


def _spawn(spec: dict[str, Any], settings: Settings) -> None:
    log = driver_log(settings, spec["execution_id"])
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "dockyard.runtime.detached"],
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    assert child.stdin is not None
    child.stdin.write(json.dumps({**spec, "settings": settings.model_dump(mode="json")}).encode())
    child.stdin.close()


def entity_from_bundle(record: Any, store: Store) -> Any:
    """The recorded entity, imported from the execution's own bundle (no local source needed)."""
    from dockyard.runtime.bundle import fetch_bundle
    from dockyard.runtime.registration import forget_plans

    module_name = record.workflow.rpartition(".")[0]
    if record.bundle_uri:
        src = fetch_bundle(record.bundle_uri, store, Path(tempfile.mkdtemp(prefix="dockyard-resume-")))
        sys.path.insert(0, str(src))
        sys.modules.pop(module_name, None)  # the bundle's module, not one of the same name imported before
    else:  # `--copy none`: the images hold the code, and this process imports it from the project root
        sys.path.insert(0, str(Path.cwd()))
    forget_plans(module_name)  # a process that imported it before (the console relaunching) can again
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        if record.bundle_uri:
            raise
        raise StoreError(
            f"execution {record.execution_id}: it shipped no code (--copy none) and {module_name} cannot be "
            f"imported here ({exc}); resume it from its project root"
        ) from None
    for value in vars(module).values():
        if getattr(value, "name", None) == record.workflow:
            return value
    raise StoreError(f"execution {record.execution_id}: {record.workflow} is not in its bundle")


def resume_execution(
    execution_id: str,
    *,
    settings: Settings,
    wait: bool = True,
    executor: Any = None,
    options: RunOptions | None = None,
    on_change: RecordListener | None = None,
    on_entity: Callable[[Any], None] | None = None,
) -> RemoteResult | str:
    """Continue a failed or interrupted execution with its recorded inputs, images, bundle and run options
    (`options` given again win); with `wait=False` its driver runs detached and the id is returned at once.
    `on_change` sees every record update and `on_entity` the entity once imported (the CLI's progress
    view: the nodes still to run)."""
    from dockyard.runtime.orchestrator import execute_remote
    from dockyard.runtime.remote import make_executor, store_secrets

    store = open_store(settings.store.url, settings)
    record = load_record(store, execution_id)
    if record.phase is Phase.RUNNING or (record.phase is Phase.PENDING and driven_elsewhere(store, record)):
        raise ConfigError(f"execution {execution_id} is still {record.phase.value}; abort it before resuming")
    if record.phase is Phase.SUCCEEDED:
        raise ConfigError(f"execution {execution_id} succeeded; there is nothing to resume")
    if not wait:
        if options is not None:  # the detached driver reads them from the record
            record.set_options(options.over(record.run_options()))
            RecordWriter(store, record).save()
        _spawn({"execution_id": execution_id}, settings)
        return execution_id
    entity = entity_from_bundle(record, store)
    if on_entity is not None:
        on_entity(entity)
    secrets, env = store_secrets(settings, store)
    return execute_remote(
        entity,
        {},
        settings=settings,
        store=store,
        executor=executor or make_executor(settings, store),
        images=dict(record.images),
        bundle_uri=record.bundle_uri,
        execution_id=execution_id,
        resume=True,
        env=env,
        secrets=secrets,
        on_change=on_change,
        options=options,
    )


def _drive(spec: dict[str, Any]) -> None:
    """The detached driver: build and run a recorded `pending` execution, or resume a recorded one."""
    import _thread

    from dockyard.runtime.remote import pin_images, run_remote
    from dockyard.sdk.entities import load_entity

    settings = Settings.model_validate(spec["settings"]) if "settings" in spec else get_settings()
    execution_id = spec["execution_id"]
    store = open_store(settings.store.url, settings)
    beat = Heartbeat(store, execution_id, settings.executor.backend, lambda _: _thread.interrupt_main())
    try:
        with beat:
            if "ref" not in spec:
                resume_execution(execution_id, settings=settings)
                return
            sys.path.insert(0, spec["source_root"])  # a package's module imports from its project root
            entity, _ = _target(load_entity(spec["ref"]), {})
            pins = pin_images(entity, spec.get("images") or {})
            run_remote(  # resumed from PENDING: the run's options come from its record
                entity,
                {},
                source_root=Path(spec["source_root"]),
                settings=settings,
                execution_id=execution_id,
                resume=True,
                copy=spec.get("copy", "all"),
                pins=pins,
            )
    except (KeyboardInterrupt, Exception) as exc:
        record = load_record(store, execution_id, settle=False)
        if beat.aborted is not None:
            settle(store, record, beat.aborted, Phase.ABORTED)
        elif not record.phase.final:  # it failed before the orchestrator could record it (a build)
            settle(store, record, " ".join(str(exc).split()) or type(exc).__name__)
        print(f"{time.strftime('%H:%M:%S')} execution {execution_id}: {exc}", flush=True)
        raise SystemExit(1) from None


if __name__ == "__main__":  # a local detached driver reads its spec on stdin; a driver Job names its run
    if sys.argv[1:2] == ["--execution-id"]:
        _drive({"execution_id": sys.argv[2]})
    else:
        _drive(json.loads(sys.stdin.read()))
