"""`run --remote --no-wait` on Kubernetes: the driver Job, schema-valid for every supported minor, golden."""

from __future__ import annotations

from k8s_helpers import assert_valid, check_golden, make_settings

from dockyard.kubernetes.driver_job import driver_command, driver_job
from dockyard.kubernetes.naming import to_yaml

IMAGE = "registry.example.com/dockyard@sha256:" + "cd" * 32


def test_the_driver_job_runs_the_recorded_execution() -> None:
    settings = make_settings(env_secret="dockyard-env")
    env = {"DOCKYARD_STORE_URL": "s3://dockyard-artifacts/prod", "DOCKYARD_EXECUTOR_BACKEND": "kubernetes"}
    job = driver_job("x0123456789ab", image=IMAGE, env=env, settings=settings)
    assert_valid(job)
    check_golden("run-no-wait-driver-job.yaml", to_yaml([job]))
    spec = job["spec"]
    assert spec["backoffLimit"] == 0  # a second driver would run the nodes again; the record is resumable
    (container,) = spec["template"]["spec"]["containers"]
    assert container["command"] == driver_command("x0123456789ab")
    assert container["envFrom"] == [{"secretRef": {"name": "dockyard-env"}}]
    assert all("value" in e for e in container["env"])  # settings only; credentials come from the Secret
    assert job["metadata"]["labels"]["dockyard.io/execution-id"] == "x0123456789ab"
