"""flytekit's `flytekit.configuration`: the config objects user code constructs, from `dockyard.sdk`."""

from dockyard.sdk.configuration import (
    AuthType,
    AzureBlobStorageConfig,
    Config,
    DataConfig,
    FastSerializationSettings,
    GCSConfig,
    Image,
    ImageConfig,
    PlatformConfig,
    S3Config,
    SecretsConfig,
    SerializationSettings,
    StatsConfig,
)

__all__ = [
    "AuthType",
    "AzureBlobStorageConfig",
    "Config",
    "DataConfig",
    "FastSerializationSettings",
    "GCSConfig",
    "Image",
    "ImageConfig",
    "PlatformConfig",
    "S3Config",
    "SecretsConfig",
    "SerializationSettings",
    "StatsConfig",
]
