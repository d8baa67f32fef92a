"""flytekit's `flytekit.core.notification`."""

from dockyard.sdk.notification import Email, Notification, PagerDuty, Slack

__all__ = ["Email", "Notification", "PagerDuty", "Slack"]
