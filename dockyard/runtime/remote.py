"""`dockyard run --remote`: build what the workflow needs, ship the code, run it through an executor.

Images: every ImageSpec that the workflow's tasks name (including tasks reachable only at run time,
such as those of a dynamic body, found among the module's tasks) is ensured by the BuildEngine, in
parallel; each task is then pinned to its image digest. Code: the source root goes up as a content-
addressed bundle, so a source-only change re-runs in the same images with no build.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from dockyard.config import Settings
from dockyard.errors import ConfigError, StoreError
from dockyard.runtime.blobstore import open_store
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.blobstore.local import LocalStore
from dockyard.runtime.executor import Executor, SecretRef
from dockyard.runtime.options import RunOptions
from dockyard.runtime.orchestrator import (
    DEFAULT_IMAGE,
    RemoteResult,
    execute_remote,
    image_key,
    refuse_taken,
)
from dockyard.runtime.raw_container import is_raw, refuse_raw
from dockyard.runtime.record import RecordListener

AWS_SECRET = SecretRef("dockyard-aws", "credentials")


def _graph_tasks(graph: Any) -> Iterator[Any]:
    for node in graph.all_nodes():
        entity = node.entity
        if entity is None:
            continue
        if node.overrides and hasattr(entity, "overridden"):  # the image a node's attempts run in
            entity = entity.overridden(node.overrides)
        if node.kind == "map":
            yield entity.task
        elif node.kind == "workflow":
            yield from _graph_tasks(entity.graph)
        else:
            yield entity


def tasks_of(entity: Any) -> list[Any]:
    """Every task the entity may run: its graph's, and the other tasks of the modules they live in."""
    from dockyard.sdk.task import PythonTask

    found: dict[int, Any] = {}
    roots = list(_graph_tasks(entity.graph)) if entity.node_kind == "workflow" else [entity]
    if entity.node_kind == "map":
        roots = [entity.task]
    for task in roots:
        found[id(task)] = task
    for module_name in {t.module for t in roots} | {entity.module}:
        module = sys.modules.get(module_name)
        for value in vars(module).values() if module is not None else ():
            if isinstance(value, PythonTask):
                found.setdefault(id(value), value)
    return list(found.values())


def default_spec(settings: Settings) -> Any:
    """The image of tasks that name none: dockyard's runtime on the default base image. On Kubernetes it
    is the driver pods' image too (`run --remote --no-wait`, schedules), which run the `dockyard` CLI
    itself: there it also gets the client's own dependencies, as its packages."""
    import importlib.metadata

    from dockyard.image_install import client_requirements
    from dockyard.imagespec import ImageSpec

    if settings.executor.backend != "kubernetes":
        return ImageSpec(name="dockyard", registry=settings.build.registry)
    packages = client_requirements(importlib.metadata.requires("dockyard") or ())
    return ImageSpec(name="dockyard", registry=settings.build.registry, packages=packages)


def image_settings(tasks: list[Any], settings: Settings) -> Settings:
    """The settings the images of these tasks are built under: when a task has a pod_template, its images
    get the kubernetes client ('kubernetes' runtime extra), since modules that build one import it at load
    time (docs/imagespec.md, The dockyard runtime in the image)."""
    build = settings.build
    if any(getattr(t, "pod_template", None) is not None for t in tasks):
        build = build.with_runtime_extras("kubernetes")
    return settings if build is settings.build else settings.model_copy(update={"build": build})


def image_specs(tasks: list[Any], settings: Settings) -> tuple[dict[str, str], dict[str, Any]]:
    """image_key -> the image a task names by reference, and image_key -> the ImageSpec to build or find."""
    specs: dict[str, Any] = {}
    pinned: dict[str, str] = {}
    for task in tasks:
        key = image_key(task)
        image = task.container_image
        if is_raw(task):  # the user's own image, run as it is: never built
            pinned[key] = task.image_ref
            if settings.executor.backend == "kubernetes" and DEFAULT_IMAGE not in specs:
                specs[DEFAULT_IMAGE] = default_spec(settings)  # its pod's dockyard steps (raw_pod.py)
        elif isinstance(image, str):
            pinned[key] = image
        elif key not in specs:
            specs[key] = default_spec(settings) if key == DEFAULT_IMAGE else image
    return pinned, specs


def loads_locally(settings: Settings, *, share: bool = False) -> bool:
    """Whether a run's images are loaded into the local engine that runs them, never pushed (see below)."""
    return settings.executor.backend == "docker" and not (share or settings.executor.push_images)


def ensure_images(
    tasks: list[Any], settings: Settings, engine: Any = None, *, share: bool = False
) -> dict[str, str]:
    """Build (or find) every image the tasks need, in parallel; returns image_key -> the ref to run.

    Pushed images run as repo@sha256:…. On the Docker backend (unless `executor.push_images`) the engine
    that builds is the one that runs, so images are only loaded there and run by their content-addressed
    tag: no compression, no push. `share` (a registered document, run elsewhere later) always pushes.
    Each image is checked again before the run launches (the local engine, or the registry past the answer
    cache): one removed or lost since an earlier run is rebuilt."""
    from dockyard.builders.engine import BuildEngine

    wanted = image_settings(tasks, settings)
    pinned, specs = image_specs(tasks, settings)
    if specs:
        if engine is None or wanted is not settings:  # a caller's engine, unless the settings grew
            engine = BuildEngine(wanted) if engine is None else engine.for_settings(wanted)
        local = loads_locally(settings, share=share)
        outcomes = engine.ensure(list(specs.values()), local=local, verify=True)
        pinned.update({key: outcomes[spec].image_ref for key, spec in specs.items()})
    return pinned


def pin_images(entity: Any, images: dict[str, str]) -> dict[str, str]:
    """`-i NAME=REF`: tasks whose ImageSpec is named NAME run in REF; `-i REF`: tasks that name no image.
    Returns the pins by the tasks' own image keys, for the record: a resume imports the tasks anew (with
    their ImageSpec) and must still find REF."""
    pins: dict[str, str] = {}
    used: set[str] = set()
    for task in tasks_of(entity) if images else ():
        image = task.container_image
        key = "" if image is None else getattr(image, "name", None)
        if isinstance(key, str) and key in images:
            pins[image_key(task)] = images[key]
            task.container_image = images[key]
            used.add(key)
    unused = sorted(set(images) - used)
    if unused:
        what = "a task that names no image" if unused[0] == "" else f"an ImageSpec named {unused[0]!r}"
        raise ConfigError(f"--image {images[unused[0]]}: no task has {what}")
    return pins


def _aws_credentials() -> bytes:
    """The driver's AWS credentials as a shared-credentials file: they reach tasks as a secret file."""
    import boto3

    creds = boto3.session.Session().get_credentials()
    if creds is None:
        raise StoreError("s3 store: no AWS credentials on the driver (AWS_* variables or ~/.aws/credentials)")
    frozen = creds.get_frozen_credentials()
    lines = [
        "[default]",
        f"aws_access_key_id = {frozen.access_key}",
        f"aws_secret_access_key = {frozen.secret_key}",
    ]
    if frozen.token:
        lines.append(f"aws_session_token = {frozen.token}")
    return ("\n".join(lines) + "\n").encode()


def make_executor(settings: Settings, store: Store) -> Executor:
    """The backend named by `executor.backend`, set up to reach `store` from inside task containers."""
    backend = settings.executor.backend
    if backend == "docker":
        from dockyard.runtime.docker_executor import DockerExecutor, host_secret

        host = host_secret(settings)

        def secret(ref: SecretRef) -> bytes:
            return _aws_credentials() if ref == AWS_SECRET else host(ref)

        root = store.root if isinstance(store, LocalStore) else None
        return DockerExecutor(settings, secret_source=secret, store_root=root)
    if backend == "kubernetes":
        from dockyard.kubernetes.context_upload import require_cluster_store
        from dockyard.kubernetes.executor import KubernetesExecutor

        require_cluster_store(store.url)

        return KubernetesExecutor(settings)
    raise ConfigError(f"executor.backend {backend!r}: remote runs need 'docker' or 'kubernetes'")


def store_secrets(settings: Settings, store: Store) -> tuple[tuple[SecretRef, ...], dict[str, str]]:
    """Secrets and env every task needs to reach the store (S3 credentials travel as a file)."""
    if isinstance(store, LocalStore):
        return (), {}
    path = settings.executor.secrets_dir / AWS_SECRET.group / str(AWS_SECRET.key)
    env = {"AWS_SHARED_CREDENTIALS_FILE": str(path)}
    import boto3

    region = boto3.session.Session().region_name
    if region:
        env["AWS_DEFAULT_REGION"] = region
    return (AWS_SECRET,), env


def check_options(settings: Settings, options: RunOptions | None) -> None:
    """The run's flags a backend would refuse, refused before any build: a raw-output prefix the store
    cannot write (another scheme than the store's); on Kubernetes, labels and annotations that break its
    grammar."""
    if options is None:
        return
    prefix = options.raw_output_prefix
    scheme = settings.store.url.partition("://")[0]
    if prefix and not prefix.startswith(f"{scheme}://"):
        raise ConfigError(
            f"--raw-output-data-prefix {prefix}: remote runs need a {scheme}:// URI (the store's)"
        )
    if settings.executor.backend == "kubernetes":
        from dockyard.kubernetes.naming import check_metadata

        check_metadata(options.labels, options.annotations)


def run_registered(
    doc: dict[str, Any],
    entity: Any,
    inputs: dict[str, Any],
    *,
    settings: Settings,
    executor: Executor | None = None,
    execution_id: str | None = None,
    on_change: RecordListener | None = None,
    options: RunOptions | None = None,
) -> RemoteResult:
    """Run an entity of a registered document (`registration.fetch` / `load_registered`) with the
    document's pinned images and bundle: no build, no local source."""
    from dockyard.sdk.launch_plan import LaunchPlan

    check_options(settings, options)
    store = open_store(settings.store.url, settings)
    plan = entity if isinstance(entity, LaunchPlan) else None
    if plan is not None:
        inputs, entity = plan.merged_inputs(inputs), plan.workflow
    secrets, env = store_secrets(settings, store)
    return execute_remote(
        entity,
        inputs,
        settings=settings,
        store=store,
        executor=executor or make_executor(settings, store),
        images=dict(doc["images"]),
        bundle_uri=doc["bundle_uri"],
        execution_id=execution_id,
        env=env,
        secrets=secrets,
        on_change=on_change,
        options=options,
        plan=plan,
    )


def run_remote(
    entity: Any,
    inputs: dict[str, Any],
    *,
    source_root: Path,
    settings: Settings,
    execution_id: str | None = None,
    resume: bool = False,
    engine: Any = None,
    executor: Executor | None = None,
    on_change: RecordListener | None = None,
    on_start: Callable[[], None] | None = None,
    options: RunOptions | None = None,
    copy: str = "all",
    plan: Any = None,
    pins: dict[str, str] | None = None,
) -> RemoteResult:
    """Images ensured, code bundled, then the orchestrator runs the entity (see module docstring).
    `engine` (a BuildEngine) may carry an `on_event` hook; `on_change` sees every record update.
    `copy`: `all` ships the source root, `auto` only the Python modules loaded from it (pyflyte's
    `--copy auto`), `none` nothing (the images hold the code). A launch plan (as `entity`, or as `plan`
    beside its workflow) runs its workflow with its inputs merged, and its notifications go out.
    `on_start` is called once the run is accepted (backend, options and source tree checked), before any
    build: input refused earlier never began a run. `pins`: what `pin_images` returned (`-i`), recorded
    beside the images ensured."""
    from dockyard.runtime.bundle import ship_code
    from dockyard.sdk.launch_plan import LaunchPlan

    if isinstance(entity, LaunchPlan):
        plan, inputs, entity = entity, entity.merged_inputs(inputs), entity.workflow
    store = open_store(settings.store.url, settings)
    refuse_raw(tasks_of(entity), executor.name if executor else settings.executor.backend)
    executor = executor or make_executor(settings, store)  # a backend that cannot work: before any build
    check_options(settings, options)
    if not resume and execution_id:
        refuse_taken(store, execution_id)
    bundle = ship_code(source_root, store, copy)  # first: a source tree that breaks a rule builds nothing
    if on_start is not None:
        on_start()
    images = {**(pins or {}), **ensure_images(tasks_of(entity), settings, engine)}
    secrets, env = store_secrets(settings, store)
    return execute_remote(
        entity,
        inputs,
        settings=settings,
        store=store,
        executor=executor,
        images=images,
        bundle_uri=bundle,
        execution_id=execution_id,
        resume=resume,
        env=env,
        secrets=secrets,
        on_change=on_change,
        options=options,
        plan=plan,
    )
