"""`dockyard run --remote --backend kubernetes --dry-run`: every manifest the run would apply, without a
cluster, a build or a store write.

Images: specs the registry lacks get the build Jobs `dockyard build --builder kubernetes --dry-run` prints,
and their pods name the tag the build would push (a digest only exists after the build); present images are
pinned by digest as in a real run. Pods: one per task node, built by the orchestrator's own `task_attempt`,
for attempt 0 of an execution named `dry-run` (a real run draws a random id). What is only known at run
time gets a placeholder: a map task is the Indexed Job a run creates (`map_job`), with one completion
standing for its items (their number comes from upstream outputs; `dockyard.io/completions: run-time`
says so); a dynamic task shows the pod of its body, not the nodes that body creates (they are decided at
run time); a ContainerTask's pod (`raw_pod`) shows its command with the input templates unfilled.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dockyard.config import Settings
from dockyard.kubernetes.map_job import INDEX_REF, MapShape, item_attempt, map_job
from dockyard.kubernetes.raw_pod import raw_task_pod
from dockyard.runtime.blobstore import open_store
from dockyard.runtime.options import RunOptions
from dockyard.runtime.orchestrator import dockyard_steps, store_env, task_attempt
from dockyard.runtime.protocol import AttemptPaths, map_inputs_uri
from dockyard.runtime.raw_container import RawContainer, is_raw
from dockyard.sdk.walker import DEFAULT_MAP_CONCURRENCY

DRY_RUN_ID = "dry-run"


@dataclass(frozen=True)
class TaskNode:
    """A pod the driver would start: node id, task, and for a map item its map node and bound inputs."""

    node_id: str
    task: Any
    map_node: str | None = None
    map_bound: tuple[str, ...] = ()
    map_concurrency: int = 0


def task_nodes(entity: Any, node_id: str = "n0", given: Any = None) -> Iterator[TaskNode]:
    """Every pod the driver would start, with the walker's node ids (`n0-n1`, …); `given`: the input names
    the enclosing graph binds (a map input left out runs with the task's default, like a bound one)."""
    kind = entity.node_kind
    if kind in ("task", "dynamic"):  # a dynamic body runs in its own pod, which writes the sub-DAG
        yield TaskNode(node_id, entity)
    elif kind == "map":
        names = entity.task.interface.inputs
        bound = sorted(k for k in names if k in entity.bound_names or (given is not None and k not in given))
        yield TaskNode(f"{node_id}-{INDEX_REF}", entity.task, node_id, tuple(bound), entity.concurrency or 0)
    elif kind == "workflow":
        for node in entity.graph.all_nodes():  # both sides of a conditional: either may run
            if node.entity is not None:
                yield from task_nodes(node.entity, f"{node_id}-{node.id}", node.inputs)


@dataclass
class ImagePlan:
    """Pinned refs for every image key, and the specs the registry lacks (to be built first)."""

    pinned: dict[str, str] = field(default_factory=dict)
    missing: list[Any] = field(default_factory=list)


def _map_item(store: Any, node: TaskNode) -> tuple[str, int | str, tuple[str, ...]] | None:
    """A map item's share of its map node's inputs, which the driver stores once for all items
    (`ContainerTaskRunner.share_map_inputs`)."""
    if node.map_node is None:
        return None
    return map_inputs_uri(store, DRY_RUN_ID, node.map_node), INDEX_REF, node.map_bound


def plan_images(tasks: list[Any], settings: Settings, engine: Any) -> ImagePlan:
    """Look every image up in the registry (no build): present ones by digest, missing ones by tag."""
    from dockyard.runtime.remote import image_specs

    pinned, specs = image_specs(tasks, settings)
    plan = ImagePlan(pinned=pinned)
    if not specs:
        return plan
    found = engine.plan(list(specs.values()))
    for key, spec in specs.items():
        item = found[spec]
        if item.state == "present" and item.detail:
            plan.pinned[key] = f"{item.image.rsplit(':', 1)[0]}@{item.detail}"
        else:
            plan.pinned[key] = item.image
            plan.missing.append(spec)
    return plan


def dry_run_manifests(
    entity: Any,
    *,
    source_root: Path,
    settings: Settings,
    engine: Any = None,
    options: RunOptions | None = None,
) -> list[dict[str, Any]]:
    """The build Jobs (with their Secrets) of missing images, then one Pod per task node; `options`: the
    run's flags (labels, annotations, service account, project and domain) as a real run applies them."""
    from dockyard.builders.engine import BuildEngine
    from dockyard.kubernetes.builder import render_spec_manifests
    from dockyard.kubernetes.executor import render_task_manifests
    from dockyard.runtime.bundle import build_bundle, bundle_uri
    from dockyard.runtime.remote import check_options, image_settings, make_executor, store_secrets, tasks_of

    store = open_store(settings.store.url, settings)
    make_executor(settings, store)  # the same configuration checks as a real run (no cluster is reached)
    check_options(settings, options)
    wanted = image_settings(tasks_of(entity), settings)  # the images' tags as a real run makes them
    if engine is None or wanted is not settings:
        engine = BuildEngine(wanted) if engine is None else engine.for_settings(wanted)
    settings = wanted
    images = plan_images(tasks_of(entity), settings, engine)
    manifests: list[dict[str, Any]] = []
    if images.missing:  # base images pinned as the engine pins them, so the tags match the pods'
        manifests += render_spec_manifests(images.missing, settings, lookup_digest=engine.lookup_digest)
    secrets, env = store_secrets(settings, store)
    bundle = bundle_uri(build_bundle(source_root), store)
    for node in task_nodes(entity):
        attempt = task_attempt(
            node.task,
            AttemptPaths(store, DRY_RUN_ID, node.node_id, 0),
            execution_id=DRY_RUN_ID,
            node_id=node.node_id,
            images=images.pinned,
            bundle_uri=bundle,
            env={**store_env(settings, store), **env},
            secrets=secrets,
            map_item=_map_item(store, node),
            options=options,
        )
        if is_raw(node.task):  # its pod's dockyard steps and the user's image (argv filled at run time)
            steps = dockyard_steps(node.task, attempt, images.pinned)
            manifests.append(raw_task_pod(steps, RawContainer.of(node.task, None), settings))
            continue
        if node.map_node is None:
            manifests += render_task_manifests([attempt], settings)
            continue
        concurrency = node.map_concurrency or DEFAULT_MAP_CONCURRENCY
        shape = MapShape(items=1, parallelism=concurrency, retries=node.task.retries, max_failed=0)
        job = map_job(item_attempt(attempt, node.map_node), shape, settings)
        job["metadata"]["annotations"] = {
            **job["metadata"].get("annotations", {}),
            "dockyard.io/completions": "run-time",
        }
        manifests.append(job)
    return manifests
