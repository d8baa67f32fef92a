"""A remote run on the local Docker engine loads its images there and never pushes them (issue 16):
the image is in the engine, not in the registry, the task ran in it, and a second run builds nothing."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockyard.builders.docker import local_image_id
from dockyard.builders.engine import BuildEngine
from dockyard.builders.registry import Absent, Present, RegistryClient
from dockyard.config import Settings
from dockyard.runtime.remote import ensure_images, run_remote, tasks_of
from dockyard.sdk.entities import load_entity

from .test_remote import settings_for

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]

MODULE = """
import os
from dockyard import ImageSpec, task, workflow

image = ImageSpec(name="{name}", registry="localhost:5000", env={{"LOCAL_MARK": "{name}"}})


@task(container_image=image)
def where() -> str:
    return os.environ.get("LOCAL_MARK", "")  # set by the image only


@workflow
def wf() -> str:
    return where()
"""


@pytest.fixture
def local_wf(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A workflow whose one image has a repository of its own; the image is removed afterwards."""
    name = f"dockyard-local-{uuid.uuid4().hex[:10]}"
    src = tmp_path / "src"
    src.mkdir()
    (src / "localwf.py").write_text(MODULE.format(name=name))
    yield src, name
    listed = subprocess.run(
        ["docker", "images", "--format", "{{.Repository}}:{{.Tag}}", f"localhost:5000/{name}"],
        capture_output=True,
        text=True,
        check=False,
    )
    for tag in listed.stdout.split():
        subprocess.run(["docker", "rmi", tag], capture_output=True, check=False)


def _run(src: Path, settings: Settings, engine: BuildEngine) -> tuple[str, str]:
    sys.modules.pop("localwf", None)
    result = run_remote(
        load_entity(f"{src / 'localwf.py'}:wf"), {}, source_root=src, settings=settings, engine=engine
    )
    (ref,) = {ref for ref in result.record.images.values() if "dockyard-local-" in ref}
    return result.outputs, ref


def test_local_run_loads_the_image_and_pushes_nothing(
    local_wf: tuple[Path, str], tmp_path: Path, docker_engine: str, registry: str
) -> None:
    src, name = local_wf
    settings = settings_for(f"file://{tmp_path}/store", tmp_path)
    first = BuildEngine(settings)
    mark, ref = _run(src, settings, first)
    assert first.builds >= 1
    assert ref.startswith(f"localhost:5000/{name}:") and "@" not in ref  # run by its content-addressed tag
    assert mark == name  # the task ran in that very image
    assert local_image_id(ref) is not None
    with RegistryClient(timeout_s=10, insecure=settings.build.insecure_registries) as client:
        assert isinstance(client.lookup(ref), Absent)
    again = BuildEngine(settings)
    assert _run(src, settings, again) == (mark, ref)
    assert again.builds == 0


def test_push_images_setting_still_pushes(
    local_wf: tuple[Path, str], tmp_path: Path, docker_engine: str, registry: str
) -> None:
    src, name = local_wf
    base = settings_for(f"file://{tmp_path}/store", tmp_path)
    settings = base.model_copy(update={"executor": base.executor.model_copy(update={"push_images": True})})
    _, ref = _run(src, settings, BuildEngine(settings))
    assert ref.startswith(f"localhost:5000/{name}@sha256:")
    with RegistryClient(timeout_s=10, insecure=settings.build.insecure_registries) as client:
        assert isinstance(client.lookup(ref), Present)


def test_kubernetes_backend_still_pushes(
    local_wf: tuple[Path, str], tmp_path: Path, docker_engine: str, registry: str
) -> None:
    """A cluster pulls from the registry, so its runs' images are pushed and pinned by digest."""
    src, name = local_wf
    base = settings_for(f"file://{tmp_path}/store", tmp_path)
    settings = base.model_copy(
        update={"executor": base.executor.model_copy(update={"backend": "kubernetes"})}
    )
    sys.modules.pop("localwf", None)
    entity = load_entity(f"{src / 'localwf.py'}:wf")
    refs = [ref for ref in ensure_images(tasks_of(entity), settings).values() if name in ref]
    assert len(refs) == 1 and refs[0].startswith(f"localhost:5000/{name}@sha256:")
    with RegistryClient(timeout_s=10, insecure=settings.build.insecure_registries) as client:
        assert isinstance(client.lookup(refs[0]), Present)
