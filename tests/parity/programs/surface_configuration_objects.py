"""Config objects user code constructs for remotes and serialization: endpoints, images, settings."""

from flytekit import Config as TopConfig
from flytekit.configuration import (
    Config,
    DataConfig,
    Image,
    ImageConfig,
    PlatformConfig,
    S3Config,
    SerializationSettings,
)

images = ImageConfig.from_images("ghcr.io/org/img:v1", {"gpu": "ghcr.io/org/gpu:v2"})
print(images.default_image)
print(images.find_image("gpu"), images.find_image("nope"))
print(ImageConfig.auto(img_name="docker.io/x/y:z").default_image.full)
print(Image(name="default", fqn="a/b", tag="t").full, Image.look_up_image_info("default", "a/b:c").tag)
print(Image.look_up_image_info("x", "localhost:5000/repo:v3"))

platform = PlatformConfig(endpoint="localhost:30080", insecure=True)
print(platform.endpoint, platform.insecure, platform.auth_mode)
print(PlatformConfig.for_endpoint("dns:///flyte.example.com").insecure)

remote = Config.for_endpoint("flyte.example.com", insecure=True)
print(
    TopConfig is Config, remote.platform.endpoint, remote.platform.insecure, type(remote.data_config).__name__
)
sandbox = Config.for_sandbox()
print(sandbox.platform.endpoint, sandbox.platform.insecure, sandbox.data_config.s3.endpoint)
print(
    Config(platform=PlatformConfig(endpoint="x:1"))
    .with_params(platform=PlatformConfig(endpoint="y:2"))
    .platform
)
print(DataConfig().s3.endpoint, S3Config(endpoint="http://minio:9000").endpoint)

settings = SerializationSettings(image_config=images, project="p", domain="d", version="v1", env={"A": "1"})
print(
    settings.project,
    settings.domain,
    settings.version,
    settings.env,
    settings.image_config.default_image.full,
)
print(settings.python_interpreter)
