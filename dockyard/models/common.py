"""flytekit's `flytekit.models.common`: execution labels and annotations."""

from dockyard.sdk.launch_plan import Annotations, Labels

__all__ = ["Annotations", "Labels"]
