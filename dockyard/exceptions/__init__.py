"""flytekit's `flytekit.exceptions` package: the hierarchy is defined once, in `dockyard.sdk.exceptions`."""
