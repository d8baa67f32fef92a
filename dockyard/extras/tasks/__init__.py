"""flytekit's `flytekit.extras.tasks` package."""
