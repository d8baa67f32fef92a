"""`run --remote --no-wait --backend kubernetes`: the driver as a Job on the cluster, so the run goes on
without the client.

The client builds the images and uploads the bundle (the cluster cannot read the local source), records the
execution (`pending`, with its images, bundle and inputs), then creates one Job whose pod runs
`python -m dockyard.runtime.detached --execution-id ID`: it picks the recorded execution up, drives it with
the kubernetes executor and heartbeats into the store like any driver. The pod gets the client's non-secret
settings as `DOCKYARD_*` variables (`schedules.driver_env`, as a CronJob's driver does) and credentials
from `kubernetes.env_secret`.
"""

from __future__ import annotations

from typing import Any

from dockyard.config import KubernetesSettings, Settings
from dockyard.kubernetes.naming import dns_name, object_labels


def driver_command(execution_id: str) -> list[str]:
    return ["python", "-m", "dockyard.runtime.detached", "--execution-id", execution_id]


def driver_job_spec(
    kube: KubernetesSettings,
    labels: dict[str, str],
    *,
    name: str,
    image: str,
    command: list[str],
    env: dict[str, str],
) -> dict[str, Any]:
    """The spec of a Job whose one pod drives runs (a detached execution, or a CronJob's kickoff): small
    requests, the settings' credentials from `kubernetes.env_secret`, no retries (a second driver would
    run the nodes again), removed `build_ttl_s` after it ends."""
    container: dict[str, Any] = {
        "name": name,
        "image": image,
        "command": command,
        "env": [{"name": key, "value": value} for key, value in sorted(env.items())],
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "1Gi"}},
    }
    if kube.env_secret:
        container["envFrom"] = [{"secretRef": {"name": kube.env_secret}}]
    return {
        "backoffLimit": 0,
        "ttlSecondsAfterFinished": kube.build_ttl_s,
        "template": {
            "metadata": {"labels": labels},
            "spec": {
                "restartPolicy": "Never",
                "serviceAccountName": kube.service_account,
                "imagePullSecrets": [{"name": kube.registry_secret}],
                "containers": [container],
            },
        },
    }


def driver_job(execution_id: str, *, image: str, env: dict[str, str], settings: Settings) -> dict[str, Any]:
    """The Job running one execution's driver (the record is resumable, so the Job never retries)."""
    kube = settings.kubernetes
    labels = object_labels(kube.labels, component="driver", execution_id=execution_id)
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": dns_name("dockyard-driver", execution_id),
            "namespace": kube.namespace,
            "labels": labels,
        },
        "spec": driver_job_spec(
            kube, labels, name="driver", image=image, command=driver_command(execution_id), env=env
        ),
    }
