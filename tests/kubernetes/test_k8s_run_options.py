"""pyflyte's run flags on Kubernetes task pods: `--labels`, `--annotations`, `--service-account`,
`-p/--project` and `-d/--domain` reach every pod of the dry run (as a real run builds them), and a label
Kubernetes would refuse is refused before anything is built."""

from __future__ import annotations

from pathlib import Path

import yaml
from k8s_helpers import assert_valid
from test_k8s_dry_run import _source, dockyard


def test_flags_reach_every_task_pod(tmp_path: Path) -> None:
    file = _source(tmp_path)
    proc = dockyard(
        "run", "--remote", "--backend", "kubernetes", "--dry-run",
        "--labels", "cost-center=ml-42,app.kubernetes.io/part-of=churn",
        "--annotations", "owner=Ada Lovelace",
        "--service-account", "trainer", "-p", "churn", "-d", "staging",
        str(file), "pipeline", "--n", "4", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    manifests = [m for m in yaml.safe_load_all(proc.stdout) if m is not None]
    assert len(manifests) == 6
    for manifest in manifests:
        assert_valid(manifest)
        # a map task's pods are its Indexed Job's template: the flags reach both
        pods = [manifest] if manifest["kind"] == "Pod" else [manifest["spec"]["template"], manifest]
        for meta in (p["metadata"] for p in pods):
            assert meta["labels"]["cost-center"] == "ml-42"
            assert meta["labels"]["app.kubernetes.io/part-of"] == "churn"
            assert meta["annotations"]["owner"] == "Ada Lovelace"
        pod = pods[0]
        meta = pod["metadata"]
        assert meta["labels"]["cost-center"] == "ml-42"
        assert meta["labels"]["app.kubernetes.io/part-of"] == "churn"
        assert meta["labels"]["team"] == "vision"  # the settings' labels stay
        assert meta["labels"]["dockyard.io/component"] == "task"  # dockyard's own labels stay
        assert meta["annotations"]["owner"] == "Ada Lovelace"
        assert pod["spec"]["serviceAccountName"] == "trainer"
        env = {e["name"]: e.get("value") for e in pod["spec"]["containers"][0]["env"]}
        assert env["DOCKYARD_EXECUTION_PROJECT"] == "churn"
        assert env["DOCKYARD_EXECUTION_DOMAIN"] == "staging"


def test_without_flags_the_settings_service_account(tmp_path: Path) -> None:
    file = _source(tmp_path)
    proc = dockyard(
        "run", "--remote", "--backend", "kubernetes", "--dry-run", str(file), "pipeline", cwd=tmp_path,
        DOCKYARD_KUBERNETES_SERVICE_ACCOUNT="runner",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    manifests = [m for m in yaml.safe_load_all(proc.stdout) if m is not None]
    pods = [m["spec"]["template"] if m["kind"] == "Job" else m for m in manifests]
    assert {p["spec"]["serviceAccountName"] for p in pods} == {"runner"}


def test_a_label_kubernetes_refuses_is_one_line_exit_2(tmp_path: Path) -> None:
    file = _source(tmp_path)
    for flag, value, shown in (
        ("--labels", "team=-bad", "--labels team=-bad: not a Kubernetes label value"),
        ("--labels", "bad key=x", "--labels bad key: not a Kubernetes key"),
        ("--annotations", "Bad.Prefix/x=y", "--annotations Bad.Prefix/x: not a Kubernetes key"),
    ):
        proc = dockyard(
            "run", "--remote", "--backend", "kubernetes", "--dry-run", flag, value, str(file), "pipeline",
            cwd=tmp_path,
        )  # fmt: skip
        assert proc.returncode == 2, proc.stderr
        assert proc.stdout == ""
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and shown in lines[0], proc.stderr


def test_the_docker_backend_warns_that_it_ignores_the_service_account(tmp_path: Path) -> None:
    file = _source(tmp_path)
    proc = dockyard(
        "run", "--remote", "--backend", "docker", "--service-account", "trainer", "--dry-run", str(file),
        "pipeline", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 2  # --dry-run needs kubernetes: refused before anything runs
    lines = proc.stderr.strip().splitlines()
    assert lines[0] == "warning: --service-account: the docker backend ignores it (Kubernetes)", proc.stderr
