"""`run --remote` checks its images again before launching: an image lost since an earlier run is rebuilt.

On the local Docker engine (images loaded, never pushed) the check is the engine's: an image removed with
`docker rmi` is rebuilt, even by an engine that found it in an earlier run. With `executor.push_images`, it
is the registry's: a manifest deleted from the registry is rebuilt although the answer cache, fresh from the
first run's push, still says present.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from dockyard.builders.docker import local_image_id
from dockyard.builders.engine import BuildEngine
from dockyard.builders.registry import Absent, ImageRef, RegistryClient

from .test_local_images import _run, local_wf
from .test_remote import settings_for

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]
__all__ = ["local_wf"]  # the fixture, used here by name

_MANIFEST = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json"


def test_an_image_removed_from_the_local_engine_is_rebuilt_before_the_run(
    local_wf: tuple[Path, str], tmp_path: Path, docker_engine: str
) -> None:
    src, name = local_wf
    settings = settings_for(f"file://{tmp_path}/store", tmp_path)
    engine = BuildEngine(settings)  # one engine for both runs, as a long-lived driver keeps it
    mark, ref = _run(src, settings, engine)
    assert mark == name and engine.builds == 1
    # --force: the first run's exited container may not be removed yet (that happens in the background)
    subprocess.run(["docker", "rmi", "--force", ref], check=True, capture_output=True, timeout=60)
    assert local_image_id(ref) is None
    assert _run(src, settings, engine) == (mark, ref)
    assert engine.builds == 2  # rebuilt, not reported present
    assert local_image_id(ref) is not None


def test_an_image_lost_by_the_registry_is_rebuilt_before_the_run(
    local_wf: tuple[Path, str], tmp_path: Path, docker_engine: str, registry: str
) -> None:
    src, name = local_wf
    base = settings_for(f"file://{tmp_path}/store", tmp_path)
    settings = base.model_copy(update={"executor": base.executor.model_copy(update={"push_images": True})})
    mark, pinned = _run(src, settings, BuildEngine(settings))
    assert mark == name
    parsed = ImageRef.parse(pinned)
    deleted = httpx.delete(
        f"http://{parsed.host}/v2/{parsed.repository}/manifests/{parsed.reference}",
        headers={"Accept": _MANIFEST},
        timeout=30,
    )
    assert deleted.status_code == 202, deleted.text
    with RegistryClient(timeout_s=10, insecure=settings.build.insecure_registries) as client:
        assert isinstance(client.lookup(pinned), Absent)
    subprocess.run(["docker", "rmi", pinned], capture_output=True, timeout=60, check=False)
    again = BuildEngine(settings)  # its answer cache still holds the first run's push
    mark_again, pinned_again = _run(src, settings, again)
    assert mark_again == name
    assert again.builds == 1
    with RegistryClient(timeout_s=10, insecure=settings.build.insecure_registries) as client:
        assert not isinstance(client.lookup(pinned_again), Absent)
