"""flytekit's `flytekit.core.launch_plan`."""

from dockyard.sdk.launch_plan import LaunchPlan
from dockyard.sdk.reference import LaunchPlanReference, ReferenceLaunchPlan, reference_launch_plan

__all__ = ["LaunchPlan", "LaunchPlanReference", "ReferenceLaunchPlan", "reference_launch_plan"]
