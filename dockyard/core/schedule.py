"""flytekit's `flytekit.core.schedule`."""

from dockyard.sdk.schedule import CronSchedule, FixedRate

__all__ = ["CronSchedule", "FixedRate"]
