"""`dockyard run --remote --backend kubernetes --dry-run`: the manifests a run would apply, through the CLI.

The pods come from the orchestrator's own attempt construction, so the dry run shows the pods a real run
creates; every document is checked against the upstream schemas and a golden file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from k8s_helpers import assert_valid, check_golden

WORKFLOWS = Path(__file__).parent / "workflows"


def dockyard(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process with settings from nothing but `env` (no user or project files)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DOCKYARD_", "AWS_"))}
    environ.update(
        {
            "XDG_CONFIG_HOME": str(cwd / "config"),
            "AWS_CONFIG_FILE": str(cwd / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(cwd / "no-aws-credentials"),
            "AWS_DEFAULT_REGION": "eu-west-1",
            "DOCKYARD_STORE_URL": "s3://dockyard-artifacts/prod",
            "DOCKYARD_KUBERNETES_NAMESPACE": "ml",
            "DOCKYARD_KUBERNETES_LABELS": '{"team": "vision"}',
            **env,
        }
    )
    cmd = [sys.executable, "-c", "from dockyard.cli.main import main; main()", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=environ, timeout=300)


def _source(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(WORKFLOWS / "k8s_pipeline.py", src / "k8s_pipeline.py")
    return src / "k8s_pipeline.py"


def _dry_run(file: Path, *inputs: str, **env: str) -> list[dict[str, Any]]:
    proc = dockyard(
        "run", "--remote", "--backend", "kubernetes", "--dry-run", str(file), "pipeline", *inputs,
        cwd=file.parent.parent, **env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return [doc for doc in yaml.safe_load_all(proc.stdout) if doc is not None]


def test_one_valid_pod_per_task_node_and_golden(tmp_path: Path) -> None:
    file = _source(tmp_path)
    proc = dockyard(
        "run", "--remote", "--backend", "kubernetes", "--dry-run", str(file), "pipeline", "--n", "4",
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    check_golden("run-dry-run-pipeline.yaml", proc.stdout)
    manifests = list(yaml.safe_load_all(proc.stdout))
    for manifest in manifests:
        assert_valid(manifest)
    # every task node, with the walker's node ids: a map task as its Indexed Job, both sides of the
    # conditional, the sub-workflow's node prefixed by its own; the dynamic body (its sub-DAG comes later)
    pods = {
        m["metadata"]["labels"]["dockyard.io/node-id"]: m.get("spec", {}).get("template", m)
        for m in manifests
    }
    tasks = {node: pod["spec"]["containers"][0]["command"][6] for node, pod in pods.items()}
    assert tasks == {
        "n0-n0": "k8s_pipeline:prepare",
        "n0-n1": "k8s_pipeline:square",
        "n0-n2": "k8s_pipeline:train",
        "n0-n3": "k8s_pipeline:fan_out",
        "n0-n4-n0": "k8s_pipeline:report",
        "n0-n5": "k8s_pipeline:report",
    }
    kinds = {m["metadata"]["labels"]["dockyard.io/node-id"]: m["kind"] for m in manifests}
    assert kinds.pop("n0-n1") == "Job" and set(kinds.values()) == {"Pod"}  # every image pinned: no build
    job = next(m for m in manifests if m["kind"] == "Job")
    assert (job["spec"]["completionMode"], job["spec"]["parallelism"]) == ("Indexed", 16)
    assert job["metadata"]["annotations"] == {"dockyard.io/completions": "run-time"}
    command = pods["n0-n1"]["spec"]["containers"][0]["command"]
    assert command[2] == "s3://dockyard-artifacts/prod/executions/dry-run/nodes/n0-n1/inputs.json"
    assert command[command.index("--map-index") + 1] == "$(DOCKYARD_MAP_INDEX)"
    train = next(m for m in manifests if m["metadata"]["labels"]["dockyard.io/node-id"] == "n0-n2")
    container = train["spec"]["containers"][0]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert train["spec"]["activeDeadlineSeconds"] == 3600
    assert {v["secret"]["secretName"] for v in train["spec"]["volumes"]} == {"dockyard-aws", "wandb"}
    assert container["command"][-2] == "--bundle"
    assert container["command"][-1].startswith("s3://dockyard-artifacts/prod/bundles/")


def test_dry_run_writes_nothing_and_reaches_no_cluster(tmp_path: Path) -> None:
    """A file store would be written at once; the kubernetes backend refuses it before anything happens,
    and with an s3 store nothing is contacted (the bucket does not exist, no kubeconfig exists)."""
    file = _source(tmp_path)
    local = dockyard(
        "run", "--remote", "--backend", "kubernetes", "--dry-run", str(file), "pipeline",
        cwd=tmp_path, DOCKYARD_STORE_URL=f"file://{tmp_path}/store",
    )  # fmt: skip
    assert local.returncode == 2
    assert "pods cannot reach a local folder" in local.stderr
    assert not (tmp_path / "store").exists()
    assert len(_dry_run(file, KUBECONFIG=str(tmp_path / "missing-kubeconfig"))) == 6


def test_dry_run_needs_the_kubernetes_backend(tmp_path: Path) -> None:
    file = _source(tmp_path)
    proc = dockyard("run", "--remote", "--dry-run", str(file), "pipeline", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--dry-run prints Kubernetes manifests: add --backend kubernetes" in proc.stderr
    bad = dockyard("run", "--remote", "--backend", "nomad", str(file), "pipeline", cwd=tmp_path)
    assert bad.returncode == 2 and "--backend 'nomad'" in bad.stderr


def test_inputs_are_still_checked(tmp_path: Path) -> None:
    file = _source(tmp_path)
    proc = dockyard(
        "run", "--remote", "--backend", "kubernetes", "--dry-run", str(file), "pipeline", "--n", "many",
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "--n: expected int" in proc.stderr


@pytest.mark.registry
def test_missing_image_gets_its_build_job_first(tmp_path: Path, base_image: str) -> None:
    """An ImageSpec the registry lacks: its build Secret and Job come first, and the pod runs the tag the
    Job pushes (no digest exists before the build)."""
    src = tmp_path / "src"
    src.mkdir()
    marker = uuid.uuid4().hex  # a tag nobody has pushed
    (src / "fresh.py").write_text(
        "from dockyard import ImageSpec, task, workflow\n\n"
        "spec = ImageSpec(name='dry-run-fresh', registry='localhost:5000', "
        f"env={{'MARKER': '{marker}'}})\n\n\n"
        "@task(container_image=spec)\n"
        "def hello() -> str:\n    return 'hi'\n\n\n"
        "@workflow\n"
        "def pipeline() -> str:\n    return hello()\n"
    )
    manifests = _dry_run(src / "fresh.py", DOCKYARD_BUILD_REGISTRY="localhost:5000")
    assert [m["kind"] for m in manifests] == ["Secret", "Job", "Pod"]
    for manifest in manifests:
        assert_valid(manifest)
    image = manifests[1]["metadata"]["annotations"]["dockyard.io/image"]
    assert image.startswith("localhost:5000/dry-run-fresh:")
    assert manifests[2]["spec"]["containers"][0]["image"] == image
