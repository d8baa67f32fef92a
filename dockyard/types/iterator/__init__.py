"""flytekit's `flytekit.types.iterator`: `Iterator[JSON]` rows and iterator inputs."""

from dockyard.sdk.types.iterator import JSON, FlyteIterator, JSONIterator

__all__ = ["JSON", "FlyteIterator", "JSONIterator"]
