"""deploy/: generated from dockyard.kubernetes.deploy, schema-valid, and in step with the code."""

from __future__ import annotations

from pathlib import Path

import yaml
from k8s_helpers import assert_valid

from dockyard.kubernetes.deploy import buildkitd_manifests, deploy_files, rbac_manifests

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_deploy_files_match_the_code() -> None:
    for name, text in deploy_files().items():
        path = DEPLOY / name
        assert path.read_text() == text, f"{path} is stale: run `python -m dockyard.kubernetes.deploy deploy`"


def test_every_deploy_manifest_is_valid() -> None:
    kinds = []
    for name in deploy_files():
        for manifest in yaml.safe_load_all((DEPLOY / name).read_text()):
            assert_valid(manifest)
            kinds.append(manifest["kind"])
    assert sorted(kinds) == sorted(
        [
            "Namespace",
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "ClusterRole",
            "ClusterRoleBinding",
            "Deployment",
            "Service",
        ]
    )


def test_client_role_covers_what_dockyard_calls() -> None:
    role = next(m for m in rbac_manifests() if m["kind"] == "Role")
    granted = {(res, verb) for rule in role["rules"] for res in rule["resources"] for verb in rule["verbs"]}
    needed = {
        ("secrets", "create"),
        ("secrets", "delete"),
        ("jobs", "create"),
        ("jobs", "delete"),
        ("pods", "list"),
        ("pods", "watch"),
        ("pods", "get"),
        ("pods", "create"),
        ("pods", "delete"),
        ("pods/log", "get"),
        ("cronjobs", "create"),
    }
    assert needed <= granted
    node_role = next(m for m in rbac_manifests() if m["kind"] == "ClusterRole")
    assert node_role["rules"] == [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list"]}]


def test_buildkitd_is_rootless_with_mtls() -> None:
    deployment, service = buildkitd_manifests(namespace="builds")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    args = container["args"]
    assert "tcp://0.0.0.0:1234" in args and "--oci-worker-no-process-sandbox" in args
    for flag, path in (
        ("--tlscacert", "/certs/ca.pem"),
        ("--tlscert", "/certs/cert.pem"),
        ("--tlskey", "/certs/key.pem"),
    ):
        assert args[args.index(flag) + 1] == path
    assert container["securityContext"]["runAsUser"] == 1000
    assert container["securityContext"]["seccompProfile"] == {"type": "Unconfined"}
    assert service["spec"]["ports"][0]["port"] == 1234
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert deployment["metadata"]["namespace"] == service["metadata"]["namespace"] == "builds"
