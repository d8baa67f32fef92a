"""Registration: a module's tasks, workflows and launch plans as one versioned JSON document, with every
image pinned by digest and the code as a content-addressed bundle, stored under a project and domain.

A registered version is immutable and self-contained: running it later fetches the bundle, imports the
module from it and runs with the pinned images, with no build and no access to the original source tree.

Store layout: `registry/<project>/<domain>/<version>.json` (the document) and
`registry/<project>/<domain>/latest/<entity name>` (the newest version holding that entity).
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from pathlib import Path
from typing import Any

from dockyard.config import Settings
from dockyard.errors import ConfigError, DockyardError, StoreError
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.orchestrator import image_key

SCHEMA = "dockyard.registration/v1"


def forget_plans(module_name: str) -> None:
    """Drop the launch plans an earlier import of `module_name` (and its submodules) made, before importing
    it anew: LaunchPlan.get_or_create refuses a same-named plan of another workflow object."""
    from dockyard.sdk.launch_plan import LaunchPlan

    for key, plan in list(LaunchPlan.CACHE.items()):
        if plan.workflow.module == module_name or plan.workflow.module.startswith(module_name + "."):
            del LaunchPlan.CACHE[key]


def _drop_packages(names: list[str]) -> None:
    """Forget what an earlier import of these modules' top-level packages made (modules, launch plans),
    so they are imported anew."""
    tops = {name.split(".")[0] for name in names}
    for top in tops:
        forget_plans(top)
    for name in [m for m in sys.modules if m.split(".")[0] in tops]:
        del sys.modules[name]


def import_targets(targets: list[Path]) -> tuple[Path, list[Any]]:
    """pyflyte register's targets (files, package folders), imported anew with every submodule of the
    packages: their one project root, and the modules."""
    from dockyard.sdk.project import load_modules, source_root, target_module

    for target in targets:
        if not target.exists():
            raise ConfigError(f"{target}: no such file or folder")
    root = source_root([str(t) for t in targets])
    _drop_packages([target_module(t)[1] for t in targets])
    return root, load_modules([str(t) for t in targets])


def import_fresh(file: Path) -> Any:
    """Import `file` anew, through its package from its project root as `dockyard run` does
    (`sdk.project`): its top-level package's modules and its launch plans (`forget_plans`) are dropped
    first."""
    from dockyard.sdk.project import import_source, locate

    source = locate(file)
    _drop_packages([source.module])
    return import_source(source)


def _resources(value: Any) -> dict[str, Any] | None:
    return value.to_dict() if value is not None and hasattr(value, "to_dict") else None


def module_entities(module: Any) -> tuple[list[Any], list[Any], list[Any]]:
    """The tasks, workflows and launch plans a module defines (by value, in definition order)."""
    from dockyard.sdk.launch_plan import LaunchPlan
    from dockyard.sdk.task import PythonTask
    from dockyard.sdk.workflow import WorkflowBase

    tasks: dict[str, Any] = {}
    workflows: dict[str, Any] = {}
    plans: dict[str, Any] = {}
    for value in vars(module).values():
        if isinstance(value, PythonTask) and value.module == module.__name__:
            tasks.setdefault(value.name, value)
        elif isinstance(value, WorkflowBase) and value.module == module.__name__:
            workflows.setdefault(value.name, value)
    for plan in list(LaunchPlan.CACHE.values()) + [
        v for v in vars(module).values() if isinstance(v, LaunchPlan)
    ]:
        if plan.workflow.name in workflows:
            plans.setdefault(plan.name, plan)
    return list(tasks.values()), list(workflows.values()), list(plans.values())


def compiled_tasks(workflow: Any) -> list[Any]:
    """The tasks a workflow runs, compiling it first: a body that fails to compile is one line naming the
    workflow, as any bad input (its traceback is the user's, not dockyard's)."""
    from dockyard.runtime.remote import tasks_of

    try:
        return tasks_of(workflow)
    except DockyardError:
        raise
    except Exception as exc:
        message = " ".join(str(exc).split())
        raise ConfigError(f"{workflow.name}: cannot compile: {type(exc).__name__}: {message}") from None


def serialize(
    targets: Path | list[Path], settings: Settings, *, version: str | None = None, engine: Any = None
) -> dict[str, Any]:
    """The registration document of one or more targets (files or package folders, as pyflyte register
    takes them): every entity they define under one version, images ensured and pinned, the bundle
    digest of their one project root recorded."""
    from dockyard.runtime.bundle import build_bundle
    from dockyard.runtime.remote import ensure_images
    from dockyard.sdk.graph import entity_ref, to_json

    targets = [targets] if isinstance(targets, Path) else list(targets)
    root, loaded = import_targets(targets)
    tasks: list[Any] = []
    workflows: list[Any] = []
    plans: list[Any] = []
    modules: list[str] = []
    for module in loaded:
        found = module_entities(module)
        if any(found):
            modules.append(module.__name__)
        tasks += found[0]
        workflows += found[1]
        plans += [p for p in found[2] if p.name not in {q.name for q in plans}]
    if not tasks and not workflows:
        raise ConfigError(f"{', '.join(map(str, targets))}: defines no task or workflow")
    every = {id(t): t for t in tasks}
    for wf in workflows:
        every.update({id(t): t for t in compiled_tasks(wf)})
    bundle = build_bundle(root)  # first: a source tree that breaks a rule builds nothing
    images = ensure_images(list(every.values()), settings, engine, share=True)
    bundle_sha = hashlib.sha256(bundle).hexdigest()
    digest = hashlib.sha256((bundle_sha + repr(sorted(images.items()))).encode()).hexdigest()
    return {
        "schema": SCHEMA,
        "version": version or digest[:16],
        "module": modules[0],  # the first; every entity names its own module in its ref
        "modules": modules,
        "bundle_sha256": bundle_sha,
        "images": images,
        "tasks": [
            {
                "name": t.name,
                "ref": entity_ref(t),
                "image": images[image_key(t)],
                "retries": t.retries,
                "timeout_s": t.timeout_s,
                "cache": t.cache,
                "cache_version": t.cache_version,
                "requests": _resources(t.requests),
                "limits": _resources(t.limits),
            }
            for t in tasks
        ],
        "workflows": [{"name": w.name, "ref": entity_ref(w), "graph": to_json(w.graph)} for w in workflows],
        "launch_plans": [p.to_dict() for p in plans],
    }


def _prefix(store: Store, project: str, domain: str) -> str:
    return store.url_for("registry", project, domain)


def register(
    targets: Path | list[Path], store: Store, settings: Settings, *, project: str, domain: str, **kw: Any
) -> dict[str, Any]:
    """Serialize the targets, upload their bundle, store the document and point each entity's `latest`
    at it."""
    from dockyard.sdk.project import source_root

    doc = serialize(targets, settings, **kw)
    root = source_root([str(t) for t in ([targets] if isinstance(targets, Path) else targets)])
    return publish(doc, root, store, project=project, domain=domain)


def publish(
    doc: dict[str, Any], root: Path, store: Store, *, project: str, domain: str, activate: bool = False
) -> dict[str, Any]:
    """Store a serialized document (see `register`), with the bundle of its project `root`: apart so that
    a caller can check it first. `activate` (`--activate-launchplans`): its scheduled launch plans
    are active again, even one deactivated."""
    from dockyard.runtime.bundle import upload_bundle

    doc["bundle_uri"] = upload_bundle(root, store, expected_sha256=doc["bundle_sha256"])
    doc["project"], doc["domain"] = project, domain
    base = _prefix(store, project, domain)
    store.write_json(f"{base}/{doc['version']}.json", doc)
    names = [e["name"] for e in doc["tasks"] + doc["workflows"] + doc["launch_plans"]]
    for name in names:
        store.write_bytes(f"{base}/latest/{name}", doc["version"].encode())
    if activate:
        from dockyard.runtime.scheduler import set_active

        for plan in doc["launch_plans"]:
            if plan["schedule"]:  # activation is what a schedule's runs follow
                set_active(store, project, domain, plan["name"], True)
    return doc


def fetch(store: Store, *, project: str, domain: str, name: str, version: str | None) -> dict[str, Any]:
    """The registered document holding entity `name` (at `version`, or the latest one)."""
    base = _prefix(store, project, domain)
    if version is None:
        latest = f"{base}/latest/{name}"
        if not store.exists(latest):
            raise StoreError(f"{project}/{domain}: nothing registered under the name {name!r}")
        version = store.read_bytes(latest).decode()
    uri = f"{base}/{version}.json"
    if not store.exists(uri):
        raise StoreError(f"{project}/{domain}: no registered version {version!r} ({uri})")
    doc: dict[str, Any] = store.read_json(uri)
    if doc.get("schema") != SCHEMA:
        raise StoreError(f"{uri}: schema {doc.get('schema')!r} is not {SCHEMA!r}")
    return doc


def load_registered(doc: dict[str, Any], store: Store, name: str) -> Any:
    """Import the registered module from its bundle and return entity `name` (a workflow, task or plan)."""
    from dockyard.runtime.bundle import fetch_bundle
    from dockyard.sdk.launch_plan import LaunchPlan

    src = fetch_bundle(doc["bundle_uri"], store, Path(tempfile.mkdtemp(prefix="dockyard-registered-")))
    refs = {e["name"]: e["ref"] for e in doc["tasks"] + doc["workflows"]}
    refs.update({p["name"]: p["workflow"] for p in doc["launch_plans"]})
    module_name = refs.get(name, doc["module"]).partition(":")[0]  # the module that defines it
    module = import_fresh(src / (module_name.replace(".", "/") + ".py"))
    for value in vars(module).values():
        if getattr(value, "name", None) == name:
            return value
    for plan in LaunchPlan.CACHE.values():
        if plan.name == name and plan.workflow.module == module.__name__:
            return plan
    raise StoreError(f"registered version {doc['version']}: no entity named {name!r}")
