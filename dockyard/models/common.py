"""flytekit's `flytekit.models.common`: execution labels, annotations and the raw-output location."""

from dockyard.sdk.launch_plan import Annotations, Labels
from dockyard.sdk.options import RawOutputDataConfig

__all__ = ["Annotations", "Labels", "RawOutputDataConfig"]
