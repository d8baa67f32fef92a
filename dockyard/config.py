"""One source of configuration: defaults, then dockyard.toml files, then DOCKYARD_* variables, then flags.

Precedence, lowest first:
1. the defaults below (the embedded, local-only set-up: local Docker, a loopback registry, a local blob
   folder);
2. the user's file, `$XDG_CONFIG_HOME/dockyard/dockyard.toml`;
3. the project's file, `./dockyard.toml` (the project is more specific than the user, so it wins);
4. environment variables `DOCKYARD_<SECTION>_<FIELD>`, e.g. `DOCKYARD_BUILD_REGISTRY=localhost:5000`;
5. CLI flags, passed to `load_settings(overrides=...)`.

Every setting is documented in `docs/configuration.md`; the field descriptions below are its source.
"""

from __future__ import annotations

import json
import os
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - images with Python 3.10
    import tomli as tomllib
from functools import cache
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dockyard.errors import ConfigError

_DATA_DIR = Path(platformdirs.user_data_dir("dockyard"))
_CACHE_DIR = Path(platformdirs.user_cache_dir("dockyard"))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BuildSettings(_Section):
    registry: str = Field(
        "localhost:5000", description="Registry that images are pushed to when a spec names none."
    )
    default_base_image: str = Field(
        "localhost:5000/dockyard/debian:bookworm",
        description="Base image for specs that name none (debootstrapped by scripts/base-image.sh).",
    )
    builder: str = Field("docker", description="Builder used when a spec names none (an entry point name).")
    ca_bundle: Path | None = Field(
        None,
        description="CA bundle handed to pip/uv/apt during builds as a secret; never stored in the image.",
    )
    pip_index_url: str | None = Field(None, description="Package index used when a spec names none.")
    pip_extra_index_urls: list[str] = Field(default_factory=list, description="Extra package indexes.")
    compression: Literal["gzip", "zstd", "uncompressed"] = Field(
        "gzip", description="Layer compression on push."
    )
    compression_level: int | None = Field(
        None,
        ge=0,
        le=22,
        description="BuildKit's compression-level for pushed layers (gzip 0-9, zstd 0-22). Default: 1 for "
        "gzip (cold ML builds 27% faster for 10% more bytes: benchmarks/RESULTS.md), BuildKit's for zstd.",
    )
    registry_cache: bool = Field(
        False, description="Import/export BuildKit's registry cache (type=registry)."
    )
    build_platform: str | None = Field(
        None,
        description="Platform BuildKit runs on when not this machine (e.g. linux/arm64); uv is sent for it.",
    )
    buildx_builder: str | None = Field(
        None, description="buildx builder instance the docker builder uses (a spec's builder_options wins)."
    )
    cache_from: list[str] = Field(
        default_factory=list,
        description="More BuildKit cache sources (buildx --cache-from: type=registry|local|gha,...).",
    )
    cache_to: list[str] = Field(
        default_factory=list, description="More BuildKit cache exports (buildx --cache-to)."
    )
    reproducible: bool = Field(
        True,
        description="Pushed builds date the image config to SOURCE_DATE_EPOCH=0 and carry no provenance, so "
        "the same inputs built again give the same digest (the layers' files are dated in the Dockerfile: "
        "docs/builders.md).",
    )
    no_cache: bool = Field(False, description="Run every build step again (buildx --no-cache).")
    pull: bool = Field(False, description="Look for a newer base image on each build (buildx --pull).")
    labels: dict[str, str] = Field(
        default_factory=dict, description="More image labels (buildx --label); not part of the tag."
    )
    parallelism: int = Field(3, ge=1, description="How many images the engine builds at once.")
    exists_cache_ttl_s: int = Field(
        60,
        ge=0,
        description="How long a positive registry answer is trusted before a skipped build asks again.",
    )
    allow_unknown_existence: bool = Field(
        False, description="Treat an unreachable/unauthorized registry as 'absent' instead of failing."
    )
    insecure_registries: list[str] = Field(
        default_factory=list,
        description="Registries (host[:port]) spoken to over plain http; loopback ones always are.",
    )
    runtime_source: str | None = Field(
        None,
        description="Where images get the dockyard runtime: a wheel file, or a package index URL "
        "(http(s):// or file://) holding dockyard at the client's version (default: the client's own).",
    )
    runtime_extras: list[Literal["s3", "kubernetes"]] = Field(
        default_factory=list,
        description="More of dockyard's dependencies put into images beside what dockyard-execute needs: "
        "'s3' (boto3; added whenever store.url is s3://), 'kubernetes' (the client, for modules that import "
        "it for a pod_template; added for the images of runs whose tasks use one).",
    )
    work_dir: Path = Field(_CACHE_DIR / "build", description="Build contexts, answer cache and build locks.")
    cuda_base_repository: str = Field(
        "nvidia/cuda", description="Repository (or a mirror) of CUDA base images (cuda_strategy 'base')."
    )
    uv_python_install_mirror: str | None = Field(
        None, description="UV_PYTHON_INSTALL_MIRROR of python_provider 'uv' (python-build-standalone)."
    )
    micromamba_image: str = Field(
        "mambaorg/micromamba:2.0.5",
        description="Image whose /bin/micromamba installs conda_packages (a mirror or your registry).",
    )
    heavy_packages: list[str] = Field(
        default_factory=lambda: ["torch", "torchvision", "torchaudio", "triton", "nvidia-*", "tensorflow*"],
        description="Packages (shell patterns) installed in layers of their own, shared between images.",
    )
    conda_channel_mirrors: dict[str, str] = Field(
        default_factory=dict,
        description="Conda channel (name or URL) → the URL builds use instead (an internal mirror).",
    )

    @model_validator(mode="after")
    def _level_fits_the_compression(self) -> BuildSettings:
        if self.compression == "gzip" and (self.compression_level or 0) > 9:
            raise ValueError(f"compression_level {self.compression_level}: gzip levels are 0-9")
        return self

    def with_runtime_extras(self, *names: str) -> BuildSettings:
        """These settings with more runtime extras (sorted, once each); themselves when none is new."""
        wanted = sorted({*self.runtime_extras, *names})
        if wanted == sorted(self.runtime_extras):
            return self
        return self.model_copy(update={"runtime_extras": wanted})


class StoreSettings(_Section):
    url: str = Field(
        f"file://{_DATA_DIR / 'store'}", description="Blob store: file:///path or s3://bucket/prefix."
    )
    s3_endpoint_url: str | None = Field(
        None, description="S3 endpoint; AWS_ENDPOINT_URL and the rest of the AWS config are honoured too."
    )


class CacheSettings(_Section):
    path: Path = Field(_CACHE_DIR / "task-cache.sqlite", description="Local task cache (SQLite).")


class ExecutorSettings(_Section):
    backend: Literal["local", "docker", "kubernetes"] = Field("docker", description="Where remote tasks run.")
    secrets_dir: Path = Field(Path("/etc/secrets"), description="Directory of secret files: <group>/<key>.")
    max_parallel: int = Field(4, ge=1, description="Task containers run at once by the orchestrator.")
    push_images: bool = Field(
        False,
        description="Docker backend: push a remote run's images to the registry too (to share them); "
        "by default they are only loaded into the local engine that runs them.",
    )
    task_user: str = Field(
        "65532:65532",
        pattern=r"^(root|[0-9]+(:[0-9]+)?)$",
        description="uid:gid task containers run as (Docker; Kubernetes runAsUser/runAsGroup); `root` runs "
        "as root; a pod_template's securityContext wins. When dockyard itself runs as a non-root user, "
        "Docker tasks run as that user instead, so they can write its store.",
    )
    task_drop_capabilities: bool = Field(
        True, description="Drop every Linux capability of task containers (false: the engine's default set)."
    )
    task_no_new_privileges: bool = Field(
        True, description="no-new-privileges for task containers (setuid binaries gain nothing)."
    )
    task_network: str = Field(
        "bridge",
        description="Docker network of task containers; `host` shares the host's (reaches its loopback).",
    )
    task_mount_whole_store: bool = Field(
        False,
        description="Mount the whole file:// store read-write into task containers, instead of only the "
        "execution's folder (read-only) and the attempt's output and checkpoint prefixes.",
    )


class KubernetesSettings(_Section):
    namespace: str = Field("default", description="Namespace for build jobs and task pods.")
    service_account: str = Field("dockyard", description="Service account of task pods and build jobs.")
    context: str | None = Field(None, description="kubeconfig context; the current one when unset.")
    gpu_product_label: str = Field("nvidia.com/gpu.product", description="Node label naming the GPU model.")
    gpu_driver_label: str = Field(
        "nvidia.com/cuda.driver-version.full", description="Node label with the NVIDIA driver version."
    )
    buildkit_image: str = Field("moby/buildkit:v0.16.0-rootless", description="Rootless BuildKit image.")
    labels: dict[str, str] = Field(default_factory=dict, description="Extra labels on every object created.")
    registry_secret: str = Field(
        "dockyard-registry",
        description="kubernetes.io/dockerconfigjson Secret with push credentials, mounted at $DOCKER_CONFIG.",
    )
    context_fetch_image: str = Field(
        "curlimages/curl:8.11.0",
        description="initContainer image that fetches the build context (curl, tar).",
    )
    registry_cache: bool = Field(True, description="Import/export a registry cache (<repo>:buildcache, max).")
    registry_insecure: bool = Field(
        False, description="Push and cache over plain HTTP (registry.insecure=true): kind test registries."
    )
    build_requests: dict[str, str] = Field(
        default_factory=lambda: {"cpu": "1", "memory": "2Gi"}, description="Resource requests of build pods."
    )
    build_limits: dict[str, str] = Field(
        default_factory=lambda: {"cpu": "4", "memory": "8Gi"}, description="Resource limits of build pods."
    )
    build_timeout_s: int = Field(3600, ge=1, description="activeDeadlineSeconds of a build Job.")
    build_ttl_s: int = Field(600, ge=0, description="ttlSecondsAfterFinished of build and CronJob Jobs.")
    buildkitd_addr: str | None = Field(
        None, description="tcp://host:port of a long-lived buildkitd (deploy/); unset: a daemonless Job."
    )
    buildkitd_tls_secret: str = Field(
        "buildkitd-client-certs", description="Secret with ca.pem, cert.pem, key.pem for mTLS to buildkitd."
    )
    schedule_timeout_s: int = Field(
        600, ge=1, description="How long a pod may stay unschedulable before it fails."
    )
    env_secret: str | None = Field(
        None, description="Secret whose keys become env vars of task pods (e.g. blob store credentials)."
    )
    schedule_image: str | None = Field(
        None,
        description="Image of the driver pods: the CronJobs of scheduled launch plans (`dockyard register "
        "--schedules kubernetes`) and the Job of `run --remote --no-wait`; unset: the default task image "
        "(dockyard's runtime).",
    )
    interruptible_tolerations: list[dict[str, str]] = Field(
        default_factory=lambda: [
            {
                "key": "cloud.google.com/gke-spot",
                "operator": "Equal",
                "value": "true",
                "effect": "NoSchedule",
            },
            {
                "key": "kubernetes.azure.com/scalesetpriority",
                "operator": "Equal",
                "value": "spot",
                "effect": "NoSchedule",
            },
        ],
        description="Tolerations added to interruptible task pods (spot/preemptible node taints).",
    )
    interruptible_node_labels: dict[str, str] = Field(
        default_factory=lambda: {"cloud.google.com/gke-spot": "true"},
        description="Node labels interruptible task pods prefer (preferred node affinity).",
    )


class SmtpSettings(_Section):
    host: str = Field("localhost", description="SMTP server for launch plan notifications.")
    port: int = Field(25, description="SMTP port.")
    username: str | None = Field(None, description="SMTP user, if the server needs one.")
    password: str | None = Field(None, description="SMTP password.")
    sender: str = Field("dockyard@localhost", description="From: address of notifications.")
    starttls: bool = Field(False, description="Use STARTTLS.")


class SlackSettings(_Section):
    webhook_url: str | None = Field(
        None,
        description="Slack incoming webhook that `Slack(...)` notifications post to (a credential: set it "
        "with DOCKYARD_SLACK_WEBHOOK_URL, not in a shared file).",
    )


class ConsoleSettings(_Section):
    token: str | None = Field(
        None,
        description="Token the console's API demands on every request (DOCKYARD_CONSOLE_TOKEN); required to "
        "bind elsewhere than loopback.",
    )


class Settings(_Section):
    build: BuildSettings = BuildSettings()
    store: StoreSettings = StoreSettings()
    cache: CacheSettings = CacheSettings()
    executor: ExecutorSettings = ExecutorSettings()
    kubernetes: KubernetesSettings = KubernetesSettings()
    smtp: SmtpSettings = SmtpSettings()
    slack: SlackSettings = SlackSettings()
    console: ConsoleSettings = ConsoleSettings()

    @model_validator(mode="before")
    @classmethod
    def _store_client_in_images(cls, data: Any) -> Any:
        """Tasks reach the store from inside their images: an s3:// store puts its client (the 's3'
        runtime extra) in every image built under these settings, and so in their tags."""
        if not isinstance(data, dict):
            return data
        store = data.get("store")
        url = store.url if isinstance(store, StoreSettings) else (store or {}).get("url")
        if not (isinstance(url, str) and url.startswith("s3://")):
            return data
        build = data.get("build") or {}
        if isinstance(build, BuildSettings):
            return {**data, "build": build.with_runtime_extras("s3")}
        extras = sorted({*build.get("runtime_extras", []), "s3"})
        return {**data, "build": {**build, "runtime_extras": extras}}


def _user_file() -> Path:
    return Path(platformdirs.user_config_dir("dockyard")) / "dockyard.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text (a TOML file must be UTF-8)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc


def _json_value(name: str, raw: str, origin: object) -> Any:
    """A list or dict variable's JSON value, or a ConfigError naming the variable."""
    if origin not in (list, dict):
        return raw
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ConfigError(f"{name}: invalid JSON: {str(exc)[:120]}") from None
    kind = list if origin is list else dict
    if not isinstance(value, kind):
        raise ConfigError(f"{name}: must be a JSON {'list' if kind is list else 'object'}")
    return value


def _from_env(environ: dict[str, str]) -> dict[str, Any]:
    """Collect DOCKYARD_<SECTION>_<FIELD> variables; list and dict values are JSON."""
    found: dict[str, Any] = {}
    for section_name, section in Settings.model_fields.items():
        model = section.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        for field_name, field in model.model_fields.items():
            name = f"DOCKYARD_{section_name}_{field_name}".upper()
            raw = environ.get(name)
            if raw is None:
                continue
            value = _json_value(name, raw, getattr(field.annotation, "__origin__", None))
            found.setdefault(section_name, {})[field_name] = value
    return found


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_settings(
    overrides: dict[str, Any] | None = None,
    *,
    project_dir: Path | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Build the settings from every layer; `overrides` is `{section: {field: value}}` from CLI flags."""
    env = dict(os.environ) if environ is None else environ
    chosen = env.get("DOCKYARD_CONFIG")  # `dockyard -c FILE`: this file instead of the project's
    if chosen and not Path(chosen).is_file():
        raise ConfigError(f"{chosen}: no such config file (-c / DOCKYARD_CONFIG)")
    layers = [
        _read_toml(_user_file()),
        _read_toml(Path(chosen) if chosen else (project_dir or Path.cwd()) / "dockyard.toml"),
        _from_env(env),
        overrides or {},
    ]
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = _merge(merged, layer)
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"setting {where}: {first['msg']}") from None


@cache
def get_settings() -> Settings:
    """The process-wide settings (flags are applied by the CLI through `load_settings`)."""
    return load_settings()
