"""flytekit's `flytekit.core.pod_template`."""

from dockyard.sdk.resources import PodTemplate

PRIMARY_CONTAINER_DEFAULT_NAME = "primary"

__all__ = ["PRIMARY_CONTAINER_DEFAULT_NAME", "PodTemplate"]
