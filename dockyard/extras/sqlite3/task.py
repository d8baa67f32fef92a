"""flytekit's `flytekit.extras.sqlite3.task`, implemented in `dockyard.sdk.sqlite_task`."""

from dockyard.sdk.sqlite_task import SQLite3Config, SQLite3Task, unarchive_file

__all__ = ["SQLite3Config", "SQLite3Task", "unarchive_file"]
