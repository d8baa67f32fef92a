"""flytekit's `flytekit.core.cache`."""

from dockyard.sdk.cache_policy import Cache, CachePolicy, VersionParameters

__all__ = ["Cache", "CachePolicy", "VersionParameters"]
