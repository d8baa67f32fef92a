"""`dockyard run --remote --backend kubernetes --dry-run`: every manifest the run would apply, without a
cluster, a build or a store write.

Images: specs the registry lacks get the build Jobs `dockyard build --builder kubernetes --dry-run` prints,
and their pods name the tag the build would push (a digest only exists after the build); present images are
pinned by digest as in a real run. Pods: one per task node, built by the orchestrator's own `task_attempt`,
for attempt 0 of an execution named `dry-run` (a real run draws a random id). What is only known at run
time gets a placeholder: a map task's items appear as one pod for node `<map node>-i`, and nodes that a
dynamic task creates are not shown (its body runs in the driver, which decides them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dockyard.config import Settings
from dockyard.runtime.blobstore import open_store
from dockyard.runtime.orchestrator import DEFAULT_IMAGE, image_key, store_env, task_attempt
from dockyard.runtime.protocol import AttemptPaths

DRY_RUN_ID = "dry-run"
MAP_ITEM = "i"  # stands for the item index of a map task's pods


def task_nodes(entity: Any, node_id: str = "n0") -> Iterator[tuple[str, Any]]:
    """(node id, task) for every pod the driver would start, with the walker's node ids (`n0-n1`, …)."""
    kind = entity.node_kind
    if kind == "task":
        yield node_id, entity
    elif kind == "map":
        yield f"{node_id}-{MAP_ITEM}", entity.task
    elif kind == "workflow":
        for node in entity.graph.all_nodes():  # both sides of a conditional: either may run
            if node.entity is not None:
                yield from task_nodes(node.entity, f"{node_id}-{node.id}")


@dataclass
class ImagePlan:
    """Pinned refs for every image key, and the specs the registry lacks (to be built first)."""

    pinned: dict[str, str] = field(default_factory=dict)
    missing: list[Any] = field(default_factory=list)


def plan_images(tasks: list[Any], settings: Settings, engine: Any) -> ImagePlan:
    """Look every image up in the registry (no build): present ones by digest, missing ones by tag."""
    from dockyard.runtime.remote import default_spec

    plan = ImagePlan()
    specs: dict[str, Any] = {}
    for task in tasks:
        key = image_key(task)
        if isinstance(task.container_image, str):
            plan.pinned[key] = task.container_image
        elif key not in specs:
            specs[key] = default_spec(settings) if key == DEFAULT_IMAGE else task.container_image
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
    entity: Any, *, source_root: Path, settings: Settings, engine: Any = None
) -> list[dict[str, Any]]:
    """The build Jobs (with their Secrets) of missing images, then one Pod per task node."""
    from dockyard.builders.engine import BuildEngine
    from dockyard.builders.kubernetes import render_spec_manifests
    from dockyard.runtime.bundle import build_bundle, bundle_uri
    from dockyard.runtime.kubernetes_executor import render_task_manifests
    from dockyard.runtime.remote import make_executor, store_secrets, tasks_of

    store = open_store(settings.store.url, settings)
    make_executor(settings, store)  # the same configuration checks as a real run (no cluster is reached)
    engine = engine or BuildEngine(settings)
    images = plan_images(tasks_of(entity), settings, engine)
    manifests: list[dict[str, Any]] = []
    if images.missing:  # base images pinned as the engine pins them, so the tags match the pods'
        manifests += render_spec_manifests(images.missing, settings, lookup_digest=engine.lookup_digest)
    secrets, env = store_secrets(settings, store)
    bundle = bundle_uri(build_bundle(source_root), store)
    attempts = [
        task_attempt(
            task,
            AttemptPaths(store, DRY_RUN_ID, node_id, 0),
            execution_id=DRY_RUN_ID,
            node_id=node_id,
            images=images.pinned,
            bundle_uri=bundle,
            env={**store_env(settings, store), **env},
            secrets=secrets,
        )
        for node_id, task in task_nodes(entity)
    ]
    return manifests + render_task_manifests(attempts, settings)
