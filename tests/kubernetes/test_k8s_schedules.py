"""`dockyard register --schedules kubernetes` (CronJobs printed, or applied through the thin cluster layer
to the stand-in API server of test_k8s_cluster) and `dockyard schedules kickoff`, the CronJob's command."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from k8s_helpers import assert_valid, check_golden
from test_k8s_cluster import ApiState, _handler
from test_k8s_dry_run import dockyard

from dockyard.kubernetes.schedules import kickoff_time

WORKFLOWS = Path(__file__).parent / "workflows"
IMAGE = "registry.example.com/dockyard@sha256:" + "12" * 32
CRONJOBS = "/apis/batch/v1/namespaces/ml/cronjobs"


def _source(tmp_path: Path, name: str = "k8s_scheduled.py") -> Path:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    shutil.copy(WORKFLOWS / name, src / name)
    return src / name


def _register(file: Path, *args: str, **env: str) -> Any:
    return dockyard(
        "register", str(file), "--project", "ml", "--domain", "prod", "--version", "v1",
        "--schedules", "kubernetes", *args, cwd=file.parent.parent, **env,
    )  # fmt: skip


def _env(container: dict[str, Any]) -> dict[str, str]:
    return {item["name"]: item["value"] for item in container["env"]}


def test_dry_run_prints_valid_cronjobs(tmp_path: Path) -> None:
    file = _source(tmp_path)
    proc = _register(
        file, "--dry-run", "--schedule-image", IMAGE, DOCKYARD_SMTP_PASSWORD="hunter2",
        DOCKYARD_SMTP_HOST="smtp.example.com",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    check_golden("register-schedules.yaml", proc.stdout)
    manifests = list(yaml.safe_load_all(proc.stdout))
    for manifest in manifests:
        assert_valid(manifest)
    by_plan = {m["metadata"]["labels"]["dockyard.io/launch-plan"]: m for m in manifests}
    assert sorted(by_plan) == ["k8s_scheduled.nightly", "k8s_scheduled.quarterly"]  # adhoc has no schedule
    nightly = by_plan["k8s_scheduled.nightly"]
    assert nightly["spec"]["schedule"] == "0 2 * * 1-5"
    assert by_plan["k8s_scheduled.quarterly"]["spec"]["schedule"] == "*/15 * * * *"
    (container,) = nightly["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert container["image"] == IMAGE
    assert container["command"] == [
        "dockyard", "schedules", "kickoff", "k8s_scheduled.nightly",
        "--project", "ml", "--domain", "prod", "--version", "v1",
    ]  # fmt: skip
    env = _env(container)
    assert env["DOCKYARD_KICKOFF_TIME_INPUT"] == "when"
    assert env["DOCKYARD_EXECUTOR_BACKEND"] == "kubernetes"
    assert env["DOCKYARD_STORE_URL"] == "s3://dockyard-artifacts/prod"
    assert env["DOCKYARD_KUBERNETES_NAMESPACE"] == "ml"
    assert json.loads(env["DOCKYARD_KUBERNETES_LABELS"]) == {"team": "vision"}
    assert env["DOCKYARD_SMTP_HOST"] == "smtp.example.com"
    assert "hunter2" not in proc.stdout  # secrets come from kubernetes.env_secret, never the manifest
    quarterly = by_plan["k8s_scheduled.quarterly"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert "DOCKYARD_KICKOFF_TIME_INPUT" not in _env(quarterly["containers"][0])


def test_the_image_comes_from_settings_or_is_asked_for(tmp_path: Path) -> None:
    file = _source(tmp_path)
    configured = _register(file, "--dry-run", DOCKYARD_KUBERNETES_SCHEDULE_IMAGE=IMAGE)
    assert configured.returncode == 0, configured.stderr
    assert {m["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["image"]
            for m in yaml.safe_load_all(configured.stdout)} == {IMAGE}  # fmt: skip
    missing = _register(file, "--dry-run")  # every task names its own image: no default dockyard image
    assert missing.returncode == 2
    assert "kubernetes.schedule_image: unset" in missing.stderr


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("every-90-minutes", "FixedRate(1:30:00): cron cannot express it"),
        ("with-seconds", "schedule '0 0 3 * * *' is not a 5-field cron expression"),
        ("last-day", "schedule '0 0 L * *': a CronJob cannot express 'L'"),
    ],
)
def test_a_schedule_a_cronjob_cannot_run_is_one_line(tmp_path: Path, schedule: str, message: str) -> None:
    """Refused before anything is stored or applied: the s3 bucket and the cluster do not exist here."""
    file = _source(tmp_path, "k8s_bad_schedules.py")
    proc = _register(file, "--schedule-image", IMAGE, BAD_SCHEDULE=schedule)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_file_store_is_refused(tmp_path: Path) -> None:
    file = _source(tmp_path)
    proc = _register(file, "--dry-run", "--schedule-image", IMAGE, DOCKYARD_STORE_URL=f"file://{tmp_path}/s")
    assert proc.returncode == 2
    assert "CronJob pods cannot reach a local folder" in proc.stderr


@pytest.fixture
def fake_cluster(tmp_path: Path) -> Iterator[tuple[ApiState, Path]]:
    """The stand-in API server and a kubeconfig that points at it (the CLI connects as a user would)."""
    state = ApiState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [
                    {"name": "fake", "cluster": {"server": f"http://127.0.0.1:{server.server_port}"}}
                ],
                "users": [{"name": "me", "user": {"token": "t"}}],
                "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "me"}}],
                "current-context": "fake",
            }
        )
    )
    try:
        yield state, kubeconfig
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.s3
def test_register_applies_then_replaces_the_cronjobs(
    tmp_path: Path, s3_server: str, s3_bucket: str, fake_cluster: tuple[ApiState, Path]
) -> None:
    state, kubeconfig = fake_cluster
    file = _source(tmp_path)
    env = {
        "KUBECONFIG": str(kubeconfig),
        "DOCKYARD_STORE_URL": f"s3://{s3_bucket}/dockyard",
        "DOCKYARD_STORE_S3_ENDPOINT_URL": s3_server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "DOCKYARD_KUBERNETES_SCHEDULE_IMAGE": IMAGE,
    }
    expected = list(yaml.safe_load_all(_register(file, "--dry-run", **env).stdout))
    first = _register(file, **env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "v1"
    posted = [(m, p, body) for m, p, body in state.requests if p == CRONJOBS]
    assert [m for m, _, _ in posted] == ["POST", "POST"]
    assert [body for _, _, body in posted] == expected  # what the dry run printed is what was applied
    assert first.stderr.count("created") == 2
    for manifest in expected:
        state.objects[manifest["metadata"]["name"]] = CRONJOBS
    again = _register(file, **env)
    assert again.returncode == 0, again.stderr
    assert again.stderr.count("replaced") == 2
    puts = [(p, body) for m, p, body in state.requests if m == "PUT"]
    assert sorted(p for p, _ in puts) == sorted(f"{CRONJOBS}/{m['metadata']['name']}" for m in expected)
    # the registered version is in the store for the CronJob's `schedules kickoff` to fetch
    from dockyard.runtime.blobstore.s3 import S3Store
    from dockyard.runtime.registration import fetch

    store = S3Store(f"s3://{s3_bucket}/dockyard", endpoint_url=s3_server)
    assert fetch(store, project="ml", domain="prod", name="k8s_scheduled.nightly", version="v1")


def test_kickoff_time_is_the_minute_the_job_started() -> None:
    started = datetime(2026, 5, 1, 4, 2, 37, 123456, tzinfo=timezone.utc)
    assert kickoff_time(started) == datetime(2026, 5, 1, 4, 2, tzinfo=timezone.utc)
