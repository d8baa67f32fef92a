"""The build Job and its Secret: schema-valid for every supported minor, golden, and what each part means."""

from __future__ import annotations

import base64
from pathlib import Path

import kubernetes_validate
import pytest
from k8s_helpers import assert_valid, check_golden, make_settings

from dockyard.config import Settings
from dockyard.imagespec.context import BuildContext
from dockyard.kubernetes.build_manifests import METADATA_MARKER, BuildPlan, build_job, build_secret
from dockyard.kubernetes.builder import render_build_manifests
from dockyard.kubernetes.context_tarball import context_digest, pack_context
from dockyard.kubernetes.naming import to_yaml


def _job(context: BuildContext, settings: Settings, *, push: bool = True, ca: bytes | None = None) -> dict:
    plan = BuildPlan(
        context_url="https://s3.example.com/ctx?sig=1", secret_data={"pip-ca": b"PEM"}, ca_bundle=ca
    )
    return build_job(context, settings.build, settings.kubernetes, plan, push=push)


def _script(job: dict) -> str:
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["command"][:2] == ["sh", "-c"]
    return str(container["command"][2])


def test_dry_run_manifests_are_valid_and_golden(context: BuildContext, settings: Settings) -> None:
    manifests = render_build_manifests(context, settings)
    assert [m["kind"] for m in manifests] == ["Secret", "Job"]
    for manifest in manifests:
        assert_valid(manifest)
    check_golden("build-daemonless.yaml", to_yaml(manifests))


def test_daemon_mode_is_valid_and_golden(context: BuildContext) -> None:
    settings = make_settings(buildkitd_addr="tcp://buildkitd.dockyard.svc:1234")
    manifests = render_build_manifests(context, settings)
    for manifest in manifests:
        assert_valid(manifest)
    check_golden("build-buildkitd.yaml", to_yaml(manifests))
    job = manifests[1]
    script = _script(job)
    assert "buildctl --addr=tcp://buildkitd.dockyard.svc:1234 --tlscacert=" in script
    assert "buildctl-daemonless.sh" not in script
    pod = job["spec"]["template"]["spec"]
    container = pod["containers"][0]
    # Talking to a daemon needs no unconfined profiles and no process-sandbox flag.
    assert container["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert "BUILDKITD_FLAGS" not in {e["name"] for e in container["env"]}
    certs = next(v for v in pod["volumes"] if v["name"] == "buildkitd-certs")
    assert certs["secret"]["secretName"] == "buildkitd-client-certs"
    assert "nodeSelector" not in pod  # buildkitd runs the build; this pod is only its client


def test_a_daemonless_build_runs_on_the_architecture_of_its_uv(
    context: BuildContext, settings: Settings
) -> None:
    """The context carries one uv binary, for the build platform: the pod that runs BuildKit must match it."""
    pod = _job(context, settings)["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"kubernetes.io/arch": "amd64"}
    arm = BuildContext(**{**context.__dict__, "build_platform": "linux/arm64"})
    assert _job(arm, settings)["spec"]["template"]["spec"]["nodeSelector"] == {"kubernetes.io/arch": "arm64"}


def test_the_job_needs_kubernetes_1_30(context: BuildContext, settings: Settings) -> None:
    """appArmorProfile is a field since 1.30; the 1.29 schema rejects it, so 1.30 is the floor."""
    job = render_build_manifests(context, settings)[1]
    with pytest.raises(kubernetes_validate.ValidationError, match="appArmorProfile"):
        kubernetes_validate.validate(job, "1.29", strict=True)


def test_rootless_buildkit_as_upstream(context: BuildContext, settings: Settings) -> None:
    job = _job(context, settings)
    spec = job["spec"]
    assert spec["backoffLimit"] == 0
    assert spec["activeDeadlineSeconds"] == settings.kubernetes.build_timeout_s
    assert spec["ttlSecondsAfterFinished"] == settings.kubernetes.build_ttl_s
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["serviceAccountName"] == "dockyard"
    container = pod["containers"][0]
    assert container["image"] == settings.kubernetes.buildkit_image
    security = container["securityContext"]
    assert security["seccompProfile"] == {"type": "Unconfined"}
    assert security["appArmorProfile"] == {"type": "Unconfined"}
    assert (security["runAsUser"], security["runAsGroup"]) == (1000, 1000)
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["BUILDKITD_FLAGS"] == "--oci-worker-no-process-sandbox"
    assert env["DOCKER_CONFIG"] == "/home/user/.docker"
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert mounts["/home/user/.local/share/buildkit"] == "buildkitd"
    assert mounts["/home/user/.docker"] == "docker-config"
    assert container["resources"] == {
        "requests": {"cpu": "1", "memory": "2Gi"},
        "limits": {"cpu": "4", "memory": "8Gi"},
    }
    docker_config = next(v for v in pod["volumes"] if v["name"] == "docker-config")
    assert docker_config["secret"] == {
        "secretName": "dockyard-registry",
        "items": [{"key": ".dockerconfigjson", "path": "config.json"}],
    }


def test_buildctl_command(context: BuildContext, settings: Settings) -> None:
    script = _script(_job(context, settings))
    assert "buildctl-daemonless.sh build --progress=plain --frontend dockerfile.v0" in script
    assert "--local context=/workspace --local dockerfile=/workspace" in script
    assert "--opt platform=linux/amd64,linux/arm64" in script
    assert "label:" not in script  # labels are in the context's Dockerfile, never in argv
    assert "--secret id=pip-ca,src=/run/dockyard/secrets/pip-ca" in script
    assert "--output type=image,name=registry.example.com/ml/train:5f2c9a0e1d,push=true" in script
    ref = "registry.example.com/ml/train:buildcache"
    assert f"--export-cache type=registry,ref={ref},mode=max" in script
    assert f"--import-cache type=registry,ref={ref}" in script
    assert "--metadata-file /tmp/metadata.json" in script
    assert script.splitlines()[-1].startswith(f'echo "{METADATA_MARKER}')


def test_no_push_and_no_cache(context: BuildContext) -> None:
    settings = make_settings(registry_cache=False)
    script = _script(_job(context, settings, push=False))
    assert "push=false" in script
    assert "cache" not in script


def test_secrets_travel_in_a_secret_never_in_the_context(context: BuildContext, settings: Settings) -> None:
    plan = BuildPlan(
        context_url="https://s3.example.com/ctx?sig=1", secret_data={"pip-ca": b"PEM"}, ca_bundle=b"CA"
    )
    secret = build_secret(context, settings.kubernetes, plan)
    assert_valid(secret)
    data = {key: base64.b64decode(value) for key, value in secret["data"].items()}
    assert data == {
        "context-url": b"https://s3.example.com/ctx?sig=1",
        "pip-ca": b"PEM",
        "ca-bundle.pem": b"CA",
    }
    job = _job(context, settings, ca=b"CA")
    pod = job["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["build-secrets"]["secret"] == {
        "secretName": job["metadata"]["name"],
        "items": [{"key": "pip-ca", "path": "pip-ca"}],
    }
    # The CA bundle reaches the fetcher (curl --cacert) and BuildKit's registry clients; the build secrets
    # reach the builder only.
    fetch = pod["initContainers"][0]
    assert {m["name"] for m in fetch["volumeMounts"]} == {"workspace", "ca-bundle"}
    assert "--cacert /run/dockyard/ca/ca-bundle.pem" in fetch["command"][2]
    assert fetch["env"][0]["valueFrom"]["secretKeyRef"] == {
        "name": job["metadata"]["name"],
        "key": "context-url",
    }
    builder = pod["containers"][0]
    assert {"name": "ca-bundle", "mountPath": "/run/dockyard/ca", "readOnly": True} in builder["volumeMounts"]
    assert {"name": "SSL_CERT_DIR", "value": "/etc/ssl/certs:/run/dockyard/ca"} in builder["env"]
    without_ca = _job(context, settings)["spec"]["template"]["spec"]["containers"][0]
    assert "SSL_CERT_DIR" not in {e["name"] for e in without_ca["env"]}
    # The contents appear nowhere in the Job itself.
    assert "PEM" not in to_yaml([job]).replace("pem", "")


def test_dry_run_never_shows_secret_contents(context: BuildContext, tmp_path: Path) -> None:
    real = tmp_path / "pip-ca.pem"
    real.write_text("SUPER-SECRET")
    settings = make_settings()
    with_real = BuildContext(**{**context.__dict__, "secrets": {"pip-ca": real}})
    secret = render_build_manifests(with_real, settings)[0]
    assert "data" not in secret  # placeholders are shown as they are, in stringData
    shown = secret["stringData"]["pip-ca"]
    assert shown == f"<contents of {real}>"


def test_dry_run_names_the_context_blob(context: BuildContext, settings: Settings) -> None:
    secret = render_build_manifests(context, settings)[0]
    url = secret["stringData"]["context-url"]
    dockerfile = context.labeled_dockerfile(settings.build.labels)  # the labels travel in the tarball
    digest = context_digest(pack_context(context.directory, dockerfile)).removeprefix("sha256:")
    assert url == f"s3://dockyard-artifacts/prod/build-contexts/{digest}.tar.gz"


def test_names_and_labels_from_settings(context: BuildContext) -> None:
    settings = make_settings(namespace="builds", labels={"cost-center": "42"}, service_account="builder")
    secret, job = render_build_manifests(context, settings)
    for manifest in (secret, job):
        assert manifest["metadata"]["namespace"] == "builds"
        assert manifest["metadata"]["labels"]["cost-center"] == "42"
        assert manifest["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "dockyard"
        assert manifest["metadata"]["labels"]["dockyard.io/image-tag"] == "5f2c9a0e1d"
    assert job["spec"]["template"]["spec"]["serviceAccountName"] == "builder"
    assert job["metadata"]["name"] == secret["metadata"]["name"] == "dockyard-build-5f2c9a0e1d"


def test_long_odd_tags_still_make_valid_names(context_dir: Path, settings: Settings) -> None:
    tag = "V1.2_" + "a" * 120
    context = BuildContext(
        directory=context_dir,
        image=f"r.example.com/x:{tag}",
        tag=tag,
        platforms=(),
        build_platform="linux/arm64",
    )
    for manifest in render_build_manifests(context, settings):
        assert_valid(manifest)
        assert len(manifest["metadata"]["name"]) <= 52
        assert len(manifest["metadata"]["labels"]["dockyard.io/image-tag"]) <= 63


def test_insecure_registry_for_test_clusters(context: BuildContext) -> None:
    script = _script(_job(context, make_settings(registry_insecure=True)))
    assert (
        ",push=true,compression=gzip,compression-level=1,force-compression=true,oci-mediatypes=true"
        ",registry.insecure=true " in script
    )
    assert "mode=max,ignore-error=true,registry.insecure=true " in script
    assert (
        "--import-cache type=registry,ref=registry.example.com/ml/train:buildcache,registry.insecure=true "
        in script
    )


@pytest.mark.registry
def test_dry_run_from_a_real_spec_matches_the_engine(base_image: str) -> None:
    """The spec-level dry run prepares the real context; its image tag is the one the engine would build."""
    from dockyard.builders.engine import BuildEngine
    from dockyard.builders.registry import RegistryClient
    from dockyard.imagespec.load import load_specs
    from dockyard.kubernetes.builder import render_spec_manifests

    settings = make_settings()
    specs = load_specs(str(Path(__file__).resolve().parents[2] / "examples" / "hello" / "spec.yaml"))
    with RegistryClient() as registry:
        engine = BuildEngine(settings, registry=registry)
        # The tag covers the dockyard sources going into the image: asking before and after the render
        # tolerates someone editing this checkout meanwhile (the render matches one of the two).
        before = engine.image_reference(specs[0])
        manifests = render_spec_manifests(specs, settings, lookup_digest=registry.digest)
        after = engine.image_reference(specs[0])
    assert [m["kind"] for m in manifests] == ["Secret", "Job"]
    for manifest in manifests:
        assert_valid(manifest)
    job = manifests[1]
    image = job["metadata"]["annotations"]["dockyard.io/image"]
    assert image in {before, after}
    assert f"name={image},push=true" in _script(job)
