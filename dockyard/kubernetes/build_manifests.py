"""Pure functions from a build context to the Kubernetes objects of one in-cluster BuildKit build.

A build is one Secret (the context URL and the BuildKit secrets, never part of the context tarball or the
image) and one Job: an initContainer downloads and unpacks the context into an emptyDir, then the `buildkit`
container runs `buildctl-daemonless.sh` (rootless, as upstream's `job.rootless.yaml`) or, when a long-lived
buildkitd is configured, `buildctl --addr tcp://…` with mTLS. The push credentials are the
`kubernetes.io/dockerconfigjson` Secret mounted at `$DOCKER_CONFIG`. The metadata file (with the pushed
digest) is echoed as the last log line, prefixed by `METADATA_MARKER`.
"""

from __future__ import annotations

import base64
import shlex
from dataclasses import dataclass, field
from typing import Any

from kubernetes import client as k8s

from dockyard.builders.base import REPRODUCIBLE_EPOCH, cache_ref, image_output
from dockyard.config import BuildSettings, KubernetesSettings
from dockyard.imagespec.context import BuildContext
from dockyard.kubernetes.naming import dns_name, object_labels, to_manifest
from dockyard.sdk.resources import k8s_resource_name

METADATA_MARKER = "dockyard-build-metadata: "
CONTAINER = "buildkit"
WORKSPACE = "/workspace"
SECRETS_DIR = "/run/dockyard/secrets"
CA_DIR = "/run/dockyard/ca"
CERTS_DIR = "/run/dockyard/buildkitd-certs"
DOCKER_CONFIG = "/home/user/.docker"
CONTEXT_URL_KEY = "context-url"
CA_KEY = "ca-bundle.pem"
_UID = 1000


@dataclass(frozen=True)
class BuildPlan:
    """What the manifests need to know beyond the context: where the context lives, the secret bytes."""

    context_url: str
    secret_data: dict[str, bytes] = field(default_factory=dict)  # BuildKit secret id -> contents
    ca_bundle: bytes | None = None
    run_id: str = ""  # makes the names unique per build; empty in dry runs, so they are reproducible


def job_name(context: BuildContext, plan: BuildPlan) -> str:
    """The Job's (and its Secret's) name: the tag, and the run id so two clients never share objects."""
    parts = ["dockyard-build", context.tag[:24]] + ([plan.run_id] if plan.run_id else [])
    return dns_name(*parts, max_len=52)  # the Job controller appends a pod suffix


def buildctl_args(
    context: BuildContext, build: BuildSettings, kube: KubernetesSettings, *, push: bool
) -> list[str]:
    """The `buildctl build …` arguments: frontend, local dirs, platforms, secrets, output, cache. The labels
    are in the tarball's Dockerfile (`pack_context`), never in argv: the inputs label grows with the spec."""
    args = ["build", "--progress=plain", "--frontend", "dockerfile.v0", "--local", f"context={WORKSPACE}"]
    args += ["--local", f"dockerfile={WORKSPACE}"]
    if context.platforms:
        args += ["--opt", "platform=" + ",".join(context.platforms)]
    for secret_id in sorted(context.secrets):
        args += ["--secret", f"id={secret_id},src={SECRETS_DIR}/{secret_id}"]
    if push and build.reproducible:  # the config's dates; buildctl adds no provenance unless asked
        args += ["--opt", f"build-arg:SOURCE_DATE_EPOCH={REPRODUCIBLE_EPOCH}"]
    insecure = ",registry.insecure=true" if kube.registry_insecure else ""
    args += ["--output", image_output(context, build, push=push) + insecure]
    if kube.registry_cache and push:
        ref = cache_ref(context)
        args += ["--export-cache", f"type=registry,ref={ref},mode=max,ignore-error=true{insecure}"]
        args += ["--import-cache", f"type=registry,ref={ref}{insecure}"]
    args += ["--metadata-file", "/tmp/metadata.json"]
    return args


def build_script(context: BuildContext, build: BuildSettings, kube: KubernetesSettings, *, push: bool) -> str:
    """The shell the builder container runs: build, then print the metadata file as one marked line."""
    if kube.buildkitd_addr:
        tls = [
            f"--tlscacert={CERTS_DIR}/ca.pem",
            f"--tlscert={CERTS_DIR}/cert.pem",
            f"--tlskey={CERTS_DIR}/key.pem",
        ]
        program = ["buildctl", f"--addr={kube.buildkitd_addr}", *tls]
    else:
        program = ["buildctl-daemonless.sh"]
    command = shlex.join(program + buildctl_args(context, build, kube, push=push))
    return f"set -eu\n{command}\necho \"{METADATA_MARKER}$(tr -d '\\n' < /tmp/metadata.json)\"\n"


def _quantities(values: dict[str, str]) -> dict[str, str]:
    """Build pods' resources as configured, under their Kubernetes names (`ephemeral_storage` is accepted)."""
    return {(k8s_resource_name(key) or key): val for key, val in values.items()}


def build_secret(
    context: BuildContext, kube: KubernetesSettings, plan: BuildPlan, *, readable: bool = False
) -> dict[str, Any]:
    """The per-build Secret: the (pre-signed) context URL, the BuildKit secrets and the CA bundle.

    `readable` (dry runs, whose values are placeholders) writes them as `stringData`, for people to read.
    """
    data = {CONTEXT_URL_KEY: plan.context_url.encode(), **plan.secret_data}
    if plan.ca_bundle is not None:
        data[CA_KEY] = plan.ca_bundle
    values = {key: value.decode() for key, value in sorted(data.items())} if readable else None
    encoded = (
        None if readable else {key: base64.b64encode(value).decode() for key, value in sorted(data.items())}
    )
    secret = k8s.V1Secret(
        api_version="v1",
        kind="Secret",
        metadata=k8s.V1ObjectMeta(
            name=job_name(context, plan),
            namespace=kube.namespace,
            labels=object_labels(kube.labels, component="build", image_tag=context.tag),
        ),
        type="Opaque",
        data=encoded,
        string_data=values,
    )
    return to_manifest(secret)


def _restricted() -> k8s.V1SecurityContext:
    """The Pod Security "restricted" profile, as user 1000: every container that needs no special rights."""
    return k8s.V1SecurityContext(
        run_as_user=_UID,
        run_as_group=_UID,
        run_as_non_root=True,
        allow_privilege_escalation=False,
        capabilities=k8s.V1Capabilities(drop=["ALL"]),
        seccomp_profile=k8s.V1SeccompProfile(type="RuntimeDefault"),
    )


def _fetch_container(kube: KubernetesSettings, plan: BuildPlan, secret_name: str) -> k8s.V1Container:
    cacert = f" --cacert {CA_DIR}/{CA_KEY}" if plan.ca_bundle is not None else ""
    mounts = [k8s.V1VolumeMount(name="workspace", mount_path=WORKSPACE)]
    if plan.ca_bundle is not None:
        mounts.append(k8s.V1VolumeMount(name="ca-bundle", mount_path=CA_DIR, read_only=True))
    return k8s.V1Container(
        name="fetch-context",
        image=kube.context_fetch_image,
        command=[
            "sh",
            "-c",
            f'curl -fsSL --retry 3{cacert} "$DOCKYARD_CONTEXT_URL" | tar -xzf - -C {WORKSPACE}',
        ],
        env=[
            k8s.V1EnvVar(
                name="DOCKYARD_CONTEXT_URL",
                value_from=k8s.V1EnvVarSource(
                    secret_key_ref=k8s.V1SecretKeySelector(name=secret_name, key=CONTEXT_URL_KEY)
                ),
            )
        ],
        volume_mounts=mounts,
        resources=k8s.V1ResourceRequirements(
            requests={"cpu": "100m", "memory": "64Mi"}, limits={"cpu": "1", "memory": "256Mi"}
        ),
        security_context=_restricted(),
    )


def _builder_container(
    context: BuildContext, build: BuildSettings, kube: KubernetesSettings, plan: BuildPlan, *, push: bool
) -> k8s.V1Container:
    daemonless = not kube.buildkitd_addr
    mounts = [
        k8s.V1VolumeMount(name="workspace", mount_path=WORKSPACE, read_only=True),
        k8s.V1VolumeMount(name="docker-config", mount_path=DOCKER_CONFIG, read_only=True),
    ]
    if context.secrets:
        mounts.append(k8s.V1VolumeMount(name="build-secrets", mount_path=SECRETS_DIR, read_only=True))
    env = [k8s.V1EnvVar(name="DOCKER_CONFIG", value=DOCKER_CONFIG)]
    if plan.ca_bundle is not None:
        # buildkitd and buildctl are Go: a colon-separated SSL_CERT_DIR adds the CA to the system roots for
        # every registry they talk to (push, base image pulls, cache), without a per-host buildkitd.toml.
        mounts.append(k8s.V1VolumeMount(name="ca-bundle", mount_path=CA_DIR, read_only=True))
        env.append(k8s.V1EnvVar(name="SSL_CERT_DIR", value=f"/etc/ssl/certs:{CA_DIR}"))
    if daemonless:
        # Kubernetes has no `systempaths=unconfined`, so rootless BuildKit runs without a process sandbox.
        env.append(k8s.V1EnvVar(name="BUILDKITD_FLAGS", value="--oci-worker-no-process-sandbox"))
        # The image's VOLUME fails on nosuid,nodev mounts (Container-Optimized OS): use an emptyDir.
        mounts.append(k8s.V1VolumeMount(name="buildkitd", mount_path="/home/user/.local/share/buildkit"))
        security = k8s.V1SecurityContext(
            run_as_user=_UID,
            run_as_group=_UID,
            seccomp_profile=k8s.V1SeccompProfile(type="Unconfined"),
            app_armor_profile=k8s.V1AppArmorProfile(type="Unconfined"),
        )
    else:
        mounts.append(k8s.V1VolumeMount(name="buildkitd-certs", mount_path=CERTS_DIR, read_only=True))
        security = _restricted()
    return k8s.V1Container(
        name=CONTAINER,
        image=kube.buildkit_image,
        command=["sh", "-c", build_script(context, build, kube, push=push)],
        env=env,
        volume_mounts=mounts,
        resources=k8s.V1ResourceRequirements(
            requests=_quantities(kube.build_requests), limits=_quantities(kube.build_limits)
        ),
        security_context=security,
    )


def _volumes(
    context: BuildContext, kube: KubernetesSettings, plan: BuildPlan, name: str
) -> list[k8s.V1Volume]:
    volumes = [
        k8s.V1Volume(name="workspace", empty_dir=k8s.V1EmptyDirVolumeSource()),
        k8s.V1Volume(
            name="docker-config",
            secret=k8s.V1SecretVolumeSource(
                secret_name=kube.registry_secret,
                items=[k8s.V1KeyToPath(key=".dockerconfigjson", path="config.json")],
            ),
        ),
    ]
    mounted = {
        "build-secrets": sorted(context.secrets),
        "ca-bundle": [CA_KEY] if plan.ca_bundle is not None else [],
    }
    for volume, keys in mounted.items():
        if keys:
            items = [k8s.V1KeyToPath(key=key, path=key) for key in keys]
            volumes.append(
                k8s.V1Volume(name=volume, secret=k8s.V1SecretVolumeSource(secret_name=name, items=items))
            )
    if kube.buildkitd_addr:
        volumes.append(
            k8s.V1Volume(
                name="buildkitd-certs", secret=k8s.V1SecretVolumeSource(secret_name=kube.buildkitd_tls_secret)
            )
        )
    else:
        volumes.append(k8s.V1Volume(name="buildkitd", empty_dir=k8s.V1EmptyDirVolumeSource()))
    return volumes


def build_job(
    context: BuildContext, build: BuildSettings, kube: KubernetesSettings, plan: BuildPlan, *, push: bool
) -> dict[str, Any]:
    """The build Job: no retries (a failed build fails the same way twice), a deadline and a TTL."""
    name = job_name(context, plan)
    labels = object_labels(kube.labels, component="build", image_tag=context.tag)
    job = k8s.V1Job(
        api_version="batch/v1",
        kind="Job",
        metadata=k8s.V1ObjectMeta(
            name=name,
            namespace=kube.namespace,
            labels=labels,
            annotations={"dockyard.io/image": context.image},
        ),
        spec=k8s.V1JobSpec(
            backoff_limit=0,
            active_deadline_seconds=kube.build_timeout_s,
            ttl_seconds_after_finished=kube.build_ttl_s,
            template=k8s.V1PodTemplateSpec(
                metadata=k8s.V1ObjectMeta(labels=labels),
                spec=k8s.V1PodSpec(
                    restart_policy="Never",
                    # A daemonless build runs BuildKit in this pod: on the architecture of the context's uv.
                    node_selector=None
                    if kube.buildkitd_addr
                    else {"kubernetes.io/arch": context.build_platform.split("/")[1]},
                    service_account_name=kube.service_account,
                    image_pull_secrets=[k8s.V1LocalObjectReference(name=kube.registry_secret)],
                    init_containers=[_fetch_container(kube, plan, name)],
                    containers=[_builder_container(context, build, kube, plan, push=push)],
                    volumes=_volumes(context, kube, plan, name),
                ),
            ),
        ),
    )
    return to_manifest(job)
