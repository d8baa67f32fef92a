"""flytekit's `flytekit.core.base_sql_task`."""

from dockyard.sdk.sqlite_task import SQLTask

__all__ = ["SQLTask"]
