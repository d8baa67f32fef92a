"""flytekit's `flytekit.testing`: mock tasks in users' pytest suites (`task_mock`, `patch`)."""

from dockyard.sdk.context import SecretsManager
from dockyard.sdk.testing import patch, task_mock

__all__ = ["SecretsManager", "patch", "task_mock"]
