"""flytekit's `flytekit.extras.sqlite3` package."""
