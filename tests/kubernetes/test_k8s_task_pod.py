"""Task pods: every TaskAttempt option mapped, pod_template merged, schema-valid and golden."""

from __future__ import annotations

from typing import Any

import pytest
from k8s_helpers import TEMPLATE, assert_valid, check_golden, make_settings

from dockyard.config import Settings
from dockyard.errors import ExecutionError
from dockyard.kubernetes.executor import render_task_manifests
from dockyard.kubernetes.naming import to_yaml
from dockyard.kubernetes.task_pod import drivers_at_least, merge_pod_template, task_pod
from dockyard.runtime.executor import SecretRef, TaskAttempt

IMAGE = "registry.example.com/ml/train@sha256:" + "ab" * 32


def _attempt(**options: Any) -> TaskAttempt:
    base: dict[str, Any] = {
        "execution_id": "ex-20261124-a1b2",
        "node_id": "n0-train_model",
        "attempt": 1,
        "image": IMAGE,
        "command": ["dockyard-execute", "--inputs", "s3://b/in.pb", "--output-prefix", "s3://b/out/"],
        "env": {"DOCKYARD_STORE_URL": "s3://b", "PYTHONUNBUFFERED": "1"},
    }
    return TaskAttempt(**{**base, **options})


def _container(pod: dict[str, Any]) -> dict[str, Any]:
    return dict(pod["spec"]["containers"][0])


def test_plain_pod(settings: Settings) -> None:
    pod = task_pod(_attempt(), settings)
    assert_valid(pod)
    spec = pod["spec"]
    assert spec["restartPolicy"] == "Never"
    assert spec["serviceAccountName"] == "dockyard"
    assert spec["imagePullSecrets"] == [{"name": "dockyard-registry"}]  # private task images pull too
    assert pod["metadata"]["namespace"] == "ml"
    labels = pod["metadata"]["labels"]
    assert labels["dockyard.io/execution-id"] == "ex-20261124-a1b2"
    assert labels["dockyard.io/node-id"] == "n0-train_model"
    assert labels["dockyard.io/attempt"] == "1"
    assert labels["team"] == "vision"
    container = _container(pod)
    assert container["image"] == IMAGE
    assert container["command"][0] == "dockyard-execute"
    assert container["env"] == [
        {"name": "DOCKYARD_STORE_URL", "value": "s3://b"},
        {"name": "PYTHONUNBUFFERED", "value": "1"},
    ]
    for absent in ("affinity", "tolerations", "activeDeadlineSeconds", "volumes"):
        assert absent not in spec
    assert "resources" not in container


def test_every_option_golden(settings: Settings) -> None:
    attempt = _attempt(
        requests={"cpu": "2", "mem": "8Gi", "gpu": "1", "ephemeral_storage": "20Gi"},
        limits={"cpu": "4", "mem": "16Gi"},
        accelerator="nvidia-tesla-a100",
        interruptible=True,
        timeout_s=3600.5,
        secrets=(SecretRef("aws", "access_key"), SecretRef("aws", "secret_key"), SecretRef("wandb")),
        min_driver_version="535.0",
    )
    pods = render_task_manifests([attempt], settings)
    assert_valid(pods[0])
    check_golden("task-pod-all-options.yaml", to_yaml(pods))


def test_resources_and_gpu(settings: Settings) -> None:
    pod = task_pod(
        _attempt(requests={"cpu": "500m", "mem": "1Gi", "gpu": "2"}, limits={"mem": "2Gi"}), settings
    )
    assert_valid(pod)
    assert _container(pod)["resources"] == {
        "requests": {"cpu": "500m", "memory": "1Gi", "nvidia.com/gpu": "2"},
        "limits": {"memory": "2Gi", "nvidia.com/gpu": "2"},  # an extended resource's request is its limit
    }
    # A GPU without a named model still needs the GPU nodes' taint tolerated.
    assert pod["spec"]["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
    ]
    assert "affinity" not in pod["spec"]


def test_unknown_resource_is_an_error(settings: Settings) -> None:
    with pytest.raises(ExecutionError, match=r"resources\.tpu"):
        task_pod(_attempt(requests={"tpu": "1"}), settings)


def test_accelerator_is_required_affinity_on_the_product_label() -> None:
    settings = make_settings(gpu_product_label="cloud.google.com/gke-accelerator")
    pod = task_pod(_attempt(accelerator="nvidia-l4", limits={"gpu": "1"}), settings)
    assert_valid(pod)
    required = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert required == {
        "nodeSelectorTerms": [
            {
                "matchExpressions": [
                    {"key": "cloud.google.com/gke-accelerator", "operator": "In", "values": ["nvidia-l4"]}
                ]
            }
        ]
    }
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in pod["spec"][
        "tolerations"
    ]


def test_min_driver_version_restricts_nodes(settings: Settings) -> None:
    attempt = _attempt(accelerator="nvidia-a100", min_driver_version="535.54")
    pod = task_pod(attempt, settings, ["525.105.17", "535.104.05", "550.54.15", "garbage", "535.104.05"])
    terms = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    expressions = terms["nodeSelectorTerms"][0]["matchExpressions"]
    assert expressions[1] == {
        "key": "nvidia.com/cuda.driver-version.full",
        "operator": "In",
        "values": ["535.104.05", "550.54.15"],
    }
    assert pod["metadata"]["annotations"]["dockyard.io/min-driver-version"] == "535.54"
    with pytest.raises(ExecutionError, match=r"no node has an NVIDIA driver >= 535.54 .*525.105.17"):
        task_pod(attempt, settings, ["525.105.17"])
    # A dry run knows no nodes: no driver affinity, only the annotation.
    unknown = task_pod(attempt, settings, None)
    terms = unknown["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert len(terms["nodeSelectorTerms"][0]["matchExpressions"]) == 1


def test_drivers_at_least() -> None:
    assert drivers_at_least(["470.1", "535.104.05", "535.104.5"], "535.104.05") == ["535.104.05", "535.104.5"]
    with pytest.raises(ExecutionError, match="min_driver_version"):
        drivers_at_least(["535"], "not-a-version")


def test_interruptible_tolerates_spot_and_prefers_it(settings: Settings) -> None:
    pod = task_pod(_attempt(interruptible=True), settings)
    assert_valid(pod)
    assert pod["spec"]["tolerations"] == settings.kubernetes.interruptible_tolerations
    preferred = pod["spec"]["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert preferred == [
        {
            "weight": 100,
            "preference": {
                "matchExpressions": [
                    {"key": "cloud.google.com/gke-spot", "operator": "In", "values": ["true"]}
                ]
            },
        }
    ]
    assert pod["metadata"]["annotations"] == {"dockyard.io/interruptible": "true"}


def test_timeout_is_active_deadline(settings: Settings) -> None:
    assert task_pod(_attempt(timeout_s=90), settings)["spec"]["activeDeadlineSeconds"] == 90
    assert task_pod(_attempt(timeout_s=0.2), settings)["spec"]["activeDeadlineSeconds"] == 1
    assert task_pod(_attempt(timeout_s=10.1), settings)["spec"]["activeDeadlineSeconds"] == 11


def test_secrets_are_secret_volumes_under_the_secrets_dir(settings: Settings) -> None:
    refs = (SecretRef("aws", "secret_key"), SecretRef("aws", "access_key"), SecretRef("db_creds"))
    pod = task_pod(_attempt(secrets=refs), settings)
    assert_valid(pod)
    volumes = pod["spec"]["volumes"]
    assert volumes[0] == {
        "name": "secret-aws",
        "secret": {
            "secretName": "aws",
            "items": [
                {"key": "access_key", "path": "access_key"},
                {"key": "secret_key", "path": "secret_key"},
            ],
        },
    }
    assert volumes[1]["secret"] == {"secretName": "db-creds"}  # the whole group; `_` is not allowed in names
    mounts = {m["mountPath"]: m for m in _container(pod)["volumeMounts"]}
    assert set(mounts) == {"/etc/secrets/aws", "/etc/secrets/db_creds"}
    assert all(m["readOnly"] for m in mounts.values())
    # A whole-group request wins over single keys of the same group.
    whole = task_pod(_attempt(secrets=(SecretRef("aws", "k"), SecretRef("aws"))), settings)
    assert whole["spec"]["volumes"] == [{"name": "secret-aws", "secret": {"secretName": "aws"}}]
    with pytest.raises(ExecutionError, match="secret group 'bad/group'"):
        task_pod(_attempt(secrets=(SecretRef("bad/group"),)), settings)


def test_secret_options_reach_the_pod(settings: Settings) -> None:
    """group_version is a folder under the group; env_var-mounted secrets come from the Secret by reference
    (never a literal value in the pod), and a file secret's env_var names its path."""
    refs = (
        SecretRef("db", "password", group_version="v2"),
        SecretRef("api", "token", env_var="API_TOKEN", mount="env_var"),
        SecretRef("api", "other", mount="env_var"),
        SecretRef("tls", "pem", env_var="TLS_PEM_PATH"),
    )
    pod = task_pod(_attempt(secrets=refs), settings)
    assert_valid(pod)
    volumes = {v["name"]: v["secret"] for v in pod["spec"]["volumes"]}
    assert volumes["secret-db"]["items"] == [{"key": "password", "path": "v2/password"}]
    assert "secret-api" not in volumes  # env only
    env = {e["name"]: e for e in _container(pod)["env"]}
    assert env["API_TOKEN"] == {
        "name": "API_TOKEN",
        "valueFrom": {"secretKeyRef": {"name": "api", "key": "token"}},
    }
    assert env["_FSEC_API_OTHER"]["valueFrom"]["secretKeyRef"] == {"name": "api", "key": "other"}
    assert env["TLS_PEM_PATH"] == {"name": "TLS_PEM_PATH", "value": "/etc/secrets/tls/pem"}


def test_env_secret_from_settings() -> None:
    pod = task_pod(_attempt(), make_settings(env_secret="blob-store-credentials"))
    assert_valid(pod)
    assert _container(pod)["envFrom"] == [{"secretRef": {"name": "blob-store-credentials"}}]


def test_pod_names_are_unique_per_attempt_and_valid(settings: Settings) -> None:
    names = {task_pod(_attempt(attempt=n), settings)["metadata"]["name"] for n in range(3)}
    assert len(names) == 3
    odd = task_pod(_attempt(node_id="N0.Train_Model/" + "x" * 100), settings)
    assert_valid(odd)
    assert len(odd["metadata"]["name"]) <= 63


def test_pod_template_merge(settings: Settings) -> None:
    attempt = _attempt(pod_template=TEMPLATE, requests={"cpu": "4"}, interruptible=True, timeout_s=60)
    pod = task_pod(attempt, settings)
    assert_valid(pod)
    spec = pod["spec"]
    primary, sidecar = spec["containers"]
    assert primary["name"] == "primary" and sidecar == {"name": "sidecar", "image": "fluent/fluent-bit:3.1"}
    assert primary["image"] == IMAGE  # the task's image wins
    assert primary["env"] == [
        {"name": "FROM_TEMPLATE", "value": "1"},
        {"name": "DOCKYARD_STORE_URL", "value": "s3://b"},
        {"name": "PYTHONUNBUFFERED", "value": "1"},  # the task's value wins
    ]
    assert primary["resources"] == {"limits": {"memory": "32Gi"}, "requests": {"cpu": "4"}}
    assert primary["volumeMounts"] == [{"name": "dshm", "mountPath": "/dev/shm"}]
    assert spec["volumes"] == [{"name": "dshm", "emptyDir": {"medium": "Memory"}}]
    assert spec["tolerations"][0]["key"] == "team"
    assert len(spec["tolerations"]) == 1 + len(settings.kubernetes.interruptible_tolerations)
    assert spec["nodeSelector"] == {"pool": "training"}
    assert spec["priorityClassName"] == "high"
    assert spec["serviceAccountName"] == "dockyard"  # dockyard's own settings win
    assert spec["activeDeadlineSeconds"] == 60
    assert TEMPLATE["containers"][0]["image"] == "ignored:latest"  # the template is not modified


def test_pod_template_without_primary_container(settings: Settings) -> None:
    merged = merge_pod_template(
        {"containers": [{"name": "primary", "image": "x"}], "volumes": [{"name": "a", "emptyDir": {}}]},
        {
            "containers": [{"name": "helper", "image": "h"}],
            "volumes": [{"name": "a", "hostPath": {"path": "/a"}}],
        },
    )
    assert merged["containers"] == [{"name": "primary", "image": "x"}, {"name": "helper", "image": "h"}]
    assert merged["volumes"] == [{"name": "a", "emptyDir": {}}]  # the same-named volume is dockyard's


def test_sdk_pod_template_with_its_own_primary_name(settings: Settings) -> None:
    """`dockyard.PodTemplate.to_dict()` as the orchestrator passes it: the named container is the task's."""
    from kubernetes.client import V1Container, V1PodSpec, V1Toleration

    from dockyard import PodTemplate

    template = PodTemplate(
        pod_spec=V1PodSpec(
            containers=[
                V1Container(name="main", env=[{"name": "A", "value": "1"}]),
                V1Container(name="proxy", image="envoyproxy/envoy:v1.31"),
            ],
            tolerations=[V1Toleration(key="team", operator="Exists")],
        ),
        primary_container_name="main",
        labels={"team": "overridden-by-settings", "app": "trainer"},
        annotations={"sidecar.istio.io/inject": "false"},
    )
    pod = task_pod(_attempt(pod_template=template.to_dict()), settings)
    assert_valid(pod)
    main, proxy = pod["spec"]["containers"]
    assert main["name"] == "main" and main["image"] == IMAGE
    assert main["env"][0] == {"name": "A", "value": "1"}
    assert proxy["name"] == "proxy"
    assert pod["spec"]["tolerations"] == [{"key": "team", "operator": "Exists"}]
    assert pod["metadata"]["labels"]["app"] == "trainer"
    assert pod["metadata"]["labels"]["team"] == "vision"  # dockyard's labels win
    assert pod["metadata"]["annotations"] == {"sidecar.istio.io/inject": "false"}
