"""flytekit's `flytekit.core.*` import paths. Each module is a thin face: it re-exports names implemented
once in `dockyard.sdk`, so code written against flytekit's module layout runs unchanged."""
