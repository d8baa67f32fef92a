"""flytekit's configuration objects that user code constructs (`Config`, `PlatformConfig`, `ImageConfig`,
`SerializationSettings`...). dockyard reads its own settings from `dockyard.config`; these carry what a
flytekit program states (endpoints, images, project/domain/version) so the program runs unchanged.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field, replace
from typing import Any

DEFAULT_IMAGE = "cr.flyte.org/flyteorg/flytekit"
DEFAULT_ENDPOINT = "localhost:30080"


class AuthType(enum.Enum):
    STANDARD = "standard"
    BASIC = "basic"
    CLIENT_CREDENTIALS = "client_credentials"
    EXTERNAL_PROCESS = "external_process"
    DEVICEFLOW = "deviceflow"
    PKCE = "pkce"


@dataclass(frozen=True)
class Image:
    """An image by name: `fqn` (repository), `tag` or `digest`; `full` is the reference."""

    name: str
    fqn: str
    tag: str | None = None
    digest: str | None = None

    @property
    def version(self) -> str | None:
        return self.tag or self.digest

    @property
    def full(self) -> str:
        return f"{self.fqn}@{self.digest}" if self.digest else f"{self.fqn}:{self.tag}"

    @staticmethod
    def look_up_image_info(name: str, image_identifier: str, allow_no_tag_or_digest: bool = False) -> Image:
        """Split `repo[:tag]` / `repo@digest` (a registry port is not a tag)."""
        if "@" in image_identifier:
            fqn, digest = image_identifier.split("@", 1)
            return Image(name=name, fqn=fqn, digest=digest)
        repo, _, last = image_identifier.rpartition("/")
        if ":" in last:
            base, tag = last.rsplit(":", 1)
            return Image(name=name, fqn=f"{repo}/{base}" if repo else base, tag=tag)
        if not allow_no_tag_or_digest:
            raise AssertionError(f"Incorrectly formatted image {image_identifier}, missing tag or digest")
        return Image(name=name, fqn=image_identifier)


def _default_image() -> Image:
    import sys

    return Image(
        name="default", fqn=DEFAULT_IMAGE, tag=f"py{sys.version_info.major}.{sys.version_info.minor}"
    )


@dataclass(frozen=True)
class ImageConfig:
    """The default image and named others (`container_image="{{.image.gpu.fqn}}"` picks one)."""

    default_image: Image | None = None
    images: list[Image] = field(default_factory=list)

    def find_image(self, name: str) -> Image | None:
        return next((i for i in self.images if i.name == name), None)

    @classmethod
    def create_from(cls, default_image: Image | None, other_images: list[Image] | None = None) -> ImageConfig:
        images = [default_image] if default_image else []
        images += [i for i in other_images or [] if i.name != "default"]
        return cls(default_image=default_image, images=images)

    @classmethod
    def auto(cls, config_file: Any = None, img_name: str | None = None) -> ImageConfig:
        default = Image.look_up_image_info("default", img_name) if img_name else _default_image()
        return cls.create_from(default)

    @classmethod
    def auto_default_image(cls) -> ImageConfig:
        return cls.auto()

    @classmethod
    def from_images(cls, default_image: str, m: dict[str, str] | None = None) -> ImageConfig:
        default = Image.look_up_image_info("default", default_image)
        others = [Image.look_up_image_info(k, v) for k, v in (m or {}).items()]
        return cls.create_from(default, others)


@dataclass(frozen=True)
class PlatformConfig:
    """Where a Flyte control plane answers and how to authenticate (recorded; dockyard runs its own)."""

    endpoint: str = DEFAULT_ENDPOINT
    insecure: bool = False
    insecure_skip_verify: bool = False
    ca_cert_file_path: str | None = None
    console_endpoint: str | None = None
    command: list[str] | None = None
    proxy_command: list[str] | None = None
    client_id: str | None = None
    client_credentials_secret: str | None = None
    scopes: list[str] = field(default_factory=list)
    auth_mode: AuthType = AuthType.STANDARD
    audience: str | None = None
    rpc_retries: int = 3
    http_proxy_url: str | None = None

    @classmethod
    def for_endpoint(cls, endpoint: str, insecure: bool = False) -> PlatformConfig:
        return cls(endpoint=endpoint, insecure=insecure)

    @classmethod
    def auto(cls, config_file: Any = None) -> PlatformConfig:
        insecure = os.environ.get("FLYTE_PLATFORM_INSECURE", "").lower() in ("1", "true")
        return cls(endpoint=os.environ.get("FLYTE_PLATFORM_URL", DEFAULT_ENDPOINT), insecure=insecure)


@dataclass(frozen=True)
class S3Config:
    endpoint: str | None = None
    enable_debug: bool = False
    access_key_id: str | None = None
    secret_access_key: str | None = None
    retries: int = 3
    backoff: Any = None


@dataclass(frozen=True)
class GCSConfig:
    gsutil_parallelism: bool = False


@dataclass(frozen=True)
class AzureBlobStorageConfig:
    account_name: str | None = None
    account_key: str | None = None
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = None


@dataclass(frozen=True)
class DataConfig:
    s3: S3Config = field(default_factory=S3Config)
    gcs: GCSConfig = field(default_factory=GCSConfig)
    azure: AzureBlobStorageConfig = field(default_factory=AzureBlobStorageConfig)


@dataclass(frozen=True)
class SecretsConfig:
    env_prefix: str = "_FSEC_"
    default_dir: str = os.path.join(os.sep, "etc", "secrets")
    file_prefix: str = ""


@dataclass(frozen=True)
class StatsConfig:
    host: str = "localhost"
    port: int = 8125
    disabled: bool = False
    disabled_tags: bool = False


@dataclass(frozen=True)
class Config:
    """Everything a remote client needs: platform, data access, secrets and stats."""

    platform: PlatformConfig = field(default_factory=PlatformConfig)
    secrets: SecretsConfig = field(default_factory=SecretsConfig)
    stats: StatsConfig = field(default_factory=StatsConfig)
    data_config: DataConfig = field(default_factory=DataConfig)
    local_sandbox_path: str = ""

    def with_params(self, **kwargs: Any) -> Config:
        return replace(self, **{k: v for k, v in kwargs.items() if v is not None})

    @classmethod
    def auto(cls, config_file: Any = None) -> Config:
        return cls(platform=PlatformConfig.auto(config_file))

    @classmethod
    def for_sandbox(cls) -> Config:
        s3 = S3Config(
            endpoint="http://localhost:30002", access_key_id="minio", secret_access_key="miniostorage"
        )
        return cls(platform=PlatformConfig(insecure=True), data_config=DataConfig(s3=s3))

    @classmethod
    def for_endpoint(
        cls,
        endpoint: str,
        insecure: bool = False,
        data_config: DataConfig | None = None,
        config_file: Any = None,
    ) -> Config:
        return cls(
            platform=PlatformConfig.for_endpoint(endpoint, insecure), data_config=data_config or DataConfig()
        )


@dataclass(frozen=True)
class FastSerializationSettings:
    enabled: bool = False
    destination_dir: str | None = None
    distribution_location: str | None = None


@dataclass(frozen=True)
class SerializationSettings:
    """What serialization stamps on entities: images, project, domain, version, environment."""

    image_config: ImageConfig = field(default_factory=ImageConfig.auto_default_image)
    project: str | None = None
    domain: str | None = None
    version: str | None = None
    env: dict[str, str] | None = None
    git_repo: str | None = None
    python_interpreter: str = "/opt/venv/bin/python3"
    flytekit_virtualenv_root: str | None = None
    fast_serialization_settings: FastSerializationSettings | None = None
    source_root: str | None = None

    def with_fast_serialization_settings(self, fss: FastSerializationSettings) -> SerializationSettings:
        return replace(self, fast_serialization_settings=fss)

    def new_builder(self) -> SerializationSettings:
        return self
