"""The cluster-side set-up dockyard expects, as manifests: `deploy/*.yaml` are generated from here.

- `rbac.yaml`: the Namespace, the `dockyard` ServiceAccount (build Jobs, task pods, CronJobs run as it), a
  Role with what the dockyard client needs in the namespace (Jobs, Pods and their logs, Secrets, CronJobs),
  bound to that ServiceAccount (scheduled launch plans run the client in-cluster), and a ClusterRole to
  read node labels (GPU driver versions). Bind the Role to your own users or CI as well.
- `buildkitd.yaml`: the long-lived rootless buildkitd Deployment and its Service (mTLS on port 1234), for
  warm cache mounts; point `kubernetes.buildkitd_addr` at `tcp://buildkitd.<namespace>.svc:1234`.

Regenerate with `python -m dockyard.kubernetes.deploy deploy/` (tests check the files match).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from dockyard.config import KubernetesSettings
from dockyard.kubernetes.naming import MANAGED_BY, to_yaml

NAMESPACE = "dockyard"
SERVICE_ACCOUNT = "dockyard"
BUILDKITD = "buildkitd"
BUILDKITD_PORT = 1234
DAEMON_CERTS_SECRET = "buildkitd-daemon-certs"
BUILDKIT_IMAGE: str = KubernetesSettings.model_fields["buildkit_image"].default  # the Jobs' image too


def _meta(name: str, namespace: str | None = NAMESPACE, **labels: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": {**MANAGED_BY, **labels}}
    if namespace:
        meta["namespace"] = namespace
    return meta


def rbac_manifests(namespace: str = NAMESPACE) -> list[dict[str, Any]]:
    """Namespace, ServiceAccount, the client Role/RoleBinding and the node-reading ClusterRole/Binding."""
    subject = {"kind": "ServiceAccount", "name": SERVICE_ACCOUNT, "namespace": namespace}
    verbs_rw = ["create", "get", "list", "watch", "delete"]
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(namespace, None)},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(SERVICE_ACCOUNT, namespace)},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": _meta("dockyard-client", namespace),
            "rules": [
                {"apiGroups": [""], "resources": ["pods", "secrets"], "verbs": verbs_rw},
                {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
                {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": verbs_rw},
                {"apiGroups": ["batch"], "resources": ["cronjobs"], "verbs": [*verbs_rw, "update", "patch"]},
            ],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": _meta("dockyard-client", namespace),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "dockyard-client"},
            "subjects": [subject],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": _meta("dockyard-node-reader", None),
            "rules": [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list"]}],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": _meta(f"dockyard-node-reader-{namespace}", None),
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": "dockyard-node-reader",
            },
            "subjects": [subject],
        },
    ]


def buildkitd_manifests(namespace: str = NAMESPACE, image: str = BUILDKIT_IMAGE) -> list[dict[str, Any]]:
    """Rootless buildkitd (as upstream's deployment+service.rootless.yaml) listening with mTLS on :1234."""
    labels = {"app": BUILDKITD}
    probe = {
        "exec": {"command": ["buildctl", "debug", "workers"]},
        "initialDelaySeconds": 5,
        "periodSeconds": 30,
    }
    container = {
        "name": BUILDKITD,
        "image": image,
        "args": [
            "--addr",
            "unix:///run/user/1000/buildkit/buildkitd.sock",
            "--addr",
            f"tcp://0.0.0.0:{BUILDKITD_PORT}",
            "--tlscacert",
            "/certs/ca.pem",
            "--tlscert",
            "/certs/cert.pem",
            "--tlskey",
            "/certs/key.pem",
            "--oci-worker-no-process-sandbox",
        ],
        "ports": [{"name": "buildkitd", "containerPort": BUILDKITD_PORT, "protocol": "TCP"}],
        "readinessProbe": probe,
        "livenessProbe": probe,
        "resources": {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"cpu": "4", "memory": "8Gi"}},
        "securityContext": {
            "seccompProfile": {"type": "Unconfined"},
            "appArmorProfile": {"type": "Unconfined"},
            "runAsUser": 1000,
            "runAsGroup": 1000,
        },
        "volumeMounts": [
            {"name": "certs", "mountPath": "/certs", "readOnly": True},
            {"name": "buildkitd", "mountPath": "/home/user/.local/share/buildkit"},
        ],
    }
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(BUILDKITD, namespace, **labels),
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "serviceAccountName": SERVICE_ACCOUNT,
                    "containers": [container],
                    "volumes": [
                        {"name": "certs", "secret": {"secretName": DAEMON_CERTS_SECRET}},
                        {"name": "buildkitd", "emptyDir": {}},
                    ],
                },
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(BUILDKITD, namespace, **labels),
        "spec": {
            "selector": labels,
            "ports": [
                {"name": "buildkitd", "port": BUILDKITD_PORT, "targetPort": BUILDKITD_PORT, "protocol": "TCP"}
            ],
        },
    }
    return [deployment, service]


def deploy_files() -> dict[str, str]:
    """File name -> YAML text of everything in `deploy/`."""
    return {"rbac.yaml": to_yaml(rbac_manifests()), "buildkitd.yaml": to_yaml(buildkitd_manifests())}


def main() -> None:
    """Write the deploy/ files into the directory given as the first argument."""
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "deploy")
    for name, text in deploy_files().items():
        (target / name).write_text(text)


if __name__ == "__main__":
    main()
