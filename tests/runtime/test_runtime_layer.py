"""Task images carry only what dockyard-execute needs for their store, and it imports only that.

Real remote runs on the Docker engine, with a folder store and a moto S3 store: a task, in a module that
builds an ImageSpec and a scheduled launch plan at import as user modules do, reports which of the client's
own dependencies its image holds and which of them the running process has imported. A module that imports
the kubernetes client for a pod_template still loads in its image.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

from dockyard.config import Settings
from dockyard.image_install import CLIENT_ONLY
from dockyard.runtime.remote import run_remote
from dockyard.sdk.entities import load_entity

from .conftest import MotoProcess, make_bucket
from .test_remote import settings_for

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]

REPORT = f"""
import importlib.util
import sys

from dockyard import CronSchedule, ImageSpec, LaunchPlan, task, workflow

CLIENT_ONLY = {sorted(CLIENT_ONLY)!r}
IMAGE = ImageSpec(name="report", packages=["six"], apt_packages=["curl"], env={{"A": "b"}})


@task
def report() -> str:
    installed = [n for n in CLIENT_ONLY if importlib.util.find_spec(n) is not None]
    imported = sorted({{m.split(".")[0] for m in sys.modules}} & set(CLIENT_ONLY))
    return ",".join(installed) + "|" + ",".join(imported)


@workflow
def wf() -> str:
    return report()


NIGHTLY = LaunchPlan.get_or_create(wf, name=__name__ + "_nightly", schedule=CronSchedule(schedule="@daily"))
"""

POD_TEMPLATE = """
from kubernetes.client import V1Container, V1PodSpec

from dockyard import PodTemplate, task, workflow

TEMPLATE = PodTemplate(pod_spec=V1PodSpec(containers=[V1Container(name="primary")]))


@task(pod_template=TEMPLATE)
def shaped() -> str:
    import kubernetes

    return "kubernetes " + kubernetes.__version__


@workflow
def wf() -> str:
    return shaped()
"""


def run(source: str, settings: Settings, tmp_path: Path) -> str:
    module = f"layer_{uuid.uuid4().hex[:10]}"
    src = tmp_path / "src"
    src.mkdir()
    (src / f"{module}.py").write_text(source)
    try:
        entity = load_entity(f"{src / module}.py:wf")
        return str(run_remote(entity, {}, source_root=src, settings=settings).outputs)
    finally:
        sys.modules.pop(module, None)


def test_a_folder_store_image_has_none_of_the_clients_own_dependencies(tmp_path: Path) -> None:
    assert run(REPORT, settings_for(f"file://{tmp_path}/store", tmp_path), tmp_path) == "|"


@pytest.mark.s3
def test_an_s3_store_image_adds_only_the_s3_client(moto: MotoProcess, tmp_path: Path) -> None:
    settings = settings_for(f"s3://{make_bucket(moto.endpoint)}/layer", tmp_path, moto.endpoint)
    assert run(REPORT, settings, tmp_path) == "boto3|boto3"


def test_a_module_importing_the_kubernetes_client_for_a_pod_template_loads(tmp_path: Path) -> None:
    outputs = run(POD_TEMPLATE, settings_for(f"file://{tmp_path}/store", tmp_path), tmp_path)
    assert outputs.startswith("kubernetes "), outputs
