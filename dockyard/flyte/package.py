"""`dockyard package`: load modules, collect their entities and write `pyflyte package`'s archive.

The archive holds one protobuf document per entity, named `<index>_<name>_<kind>.pb` (1 TaskSpec,
2 WorkflowSpec, 3 LaunchPlan), in an order `flytectl register files` can register one by one: tasks first,
then each workflow after the launch plans it calls, then its default launch plan, then the named ones.
"""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dockyard.errors import ConfigError
from dockyard.flyte import FLYTE_RUNTIME_EXTRA
from dockyard.flyte import serialize as ser

TASK, WORKFLOW, LAUNCH_PLAN = 1, 2, 3


@dataclass
class Document:
    name: str
    kind: int
    message: Any


@dataclass
class Package:
    documents: list[Document] = field(default_factory=list)

    def files(self) -> list[tuple[str, bytes]]:
        width = len(str(max(len(self.documents) - 1, 0)))
        return [
            (f"{i:0{width}d}_{d.name}_{d.kind}.pb", d.message.SerializeToString(deterministic=True))
            for i, d in enumerate(self.documents)
        ]

    def write_archive(self, path: Path, extra: list[tuple[str, bytes]] = ()) -> None:  # type: ignore[assignment]
        """A gzipped tar of the documents (and a fast-registration archive), written whole or not at all."""
        tmp = path.with_name(path.name + ".part")
        with tarfile.open(tmp, "w:gz") as tar:
            for name, data in [*self.files(), *extra]:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))
        tmp.replace(path)

    def write_dir(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in self.files():
            (folder / name).write_bytes(data)


# ---- loading -----------------------------------------------------------------------------------------------


# ---- collecting --------------------------------------------------------------------------------------------


def collect(modules: list[Any]) -> tuple[list[Any], list[Any], list[Any]]:
    """Tasks, workflows and named launch plans the modules define, in definition order."""
    from dockyard.sdk.launch_plan import LaunchPlan
    from dockyard.sdk.task import PythonTask
    from dockyard.sdk.workflow import WorkflowBase

    names = {m.__name__ for m in modules}
    tasks: dict[str, Any] = {}
    workflows: dict[str, Any] = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, PythonTask) and value.module == module.__name__:
                tasks.setdefault(value.name, value)
            elif isinstance(value, WorkflowBase) and value.module == module.__name__:
                workflows.setdefault(value.name, value)
    plans = [p for p in LaunchPlan.CACHE.values() if p.workflow.module in names and p.name != p.workflow.name]
    return list(tasks.values()), list(workflows.values()), plans


def build(modules: list[Any], image: str | None, build_settings: Any, *, fast: bool = False) -> Package:
    """Every document of the modules' entities, ordered for registration (`fast`: tasks fetch the code)."""
    from dockyard.sdk.launch_plan import LaunchPlan

    tasks, workflows, plans = collect(modules)
    if not tasks and not workflows:
        raise ConfigError(f"{', '.join(m.__name__ for m in modules)}: no task or workflow to package")
    settings = ser.SerializationSettings(image="", fast=fast)
    specs = {wf.name: ser.workflow_spec(wf) for wf in workflows}
    for plan in plans:
        specs.setdefault(plan.workflow.name, ser.workflow_spec(plan.workflow))
    every = {t.name: t for t in tasks}
    for _, compiler in specs.values():
        every.update(compiler.tasks)
        every.update({mt.task.name: mt.task for mt in compiler.map_tasks.values()})
    settings.image, settings.images = images_of(list(every.values()), image, build_settings)

    pkg = Package()
    done: set[tuple[int, str]] = set()

    def add(kind: int, name: str, make: Any) -> None:
        if (kind, name) not in done:
            done.add((kind, name))
            pkg.documents.append(Document(name, kind, make()))

    for task in every.values():
        add(TASK, task.name, lambda t=task: ser.task_spec(t, settings))
    for _, compiler in specs.values():
        for name, mt in compiler.map_tasks.items():
            add(TASK, name, lambda m=mt: ser.task_spec(m.task, settings, map_task=m))

    def add_workflow(wf: Any) -> None:
        if wf.name not in specs:
            specs[wf.name] = ser.workflow_spec(wf)
        spec, compiler = specs[wf.name]
        for plan in compiler.launch_plans.values():
            add_workflow(plan.workflow)
            add(LAUNCH_PLAN, plan.name, lambda p=plan: ser.launch_plan(p))
        add(WORKFLOW, wf.name, lambda: spec)
        default = LaunchPlan.CACHE.get(wf.name)
        if default is None or default.workflow is not wf:
            default = LaunchPlan(wf.name, wf)
        add(LAUNCH_PLAN, wf.name, lambda: ser.launch_plan(default))

    for wf in workflows:
        add_workflow(wf)
    for plan in plans:
        add_workflow(plan.workflow)
        add(LAUNCH_PLAN, plan.name, lambda p=plan: ser.launch_plan(p))
    return pkg


def images_of(tasks: list[Any], default: str | None, build_settings: Any) -> tuple[str, dict[str, str]]:
    """The default image and each task's own: a name as given, an ImageSpec by its content-addressed tag."""
    from dockyard.imagespec import ImageSpec, image_reference

    build_settings = build_settings.with_runtime_extras(FLYTE_RUNTIME_EXTRA)  # the plugin builds them so
    images: dict[str, str] = {}
    for task in tasks:
        image = task.container_image
        if isinstance(image, str):
            images[task.name] = image
        elif isinstance(image, ImageSpec):
            images[task.name] = image_reference(image, build_settings)
    if default is None:
        default = image_reference(
            ImageSpec(name="dockyard", registry=build_settings.registry), build_settings
        )
    return default, images
