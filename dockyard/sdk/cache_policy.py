"""`Cache(version=..., serialize=..., ignored_inputs=..., salt=..., policies=...)`: flytekit 1.16's cache
configuration object, as `@task(cache=Cache(...))` takes it. A task's cache key uses the version this gives.

Without a version, the policies make one (each policy's `get_version(salt, VersionParameters)`, hashed
together); with neither, flytekit refuses the configuration with a ValueError, and so does this.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass
class VersionParameters:
    """What a cache policy may read to make a version."""

    func: Callable[..., Any]
    container_image: Any = None
    pod_template: Any = None
    pod_template_name: str | None = None


@runtime_checkable
class CachePolicy(Protocol):
    def get_version(self, salt: str, params: VersionParameters) -> str: ...


@dataclass
class Cache:
    version: str | None = None
    serialize: bool = False
    ignored_inputs: tuple[str, ...] | str = ()
    salt: str = ""
    policies: list[CachePolicy] | CachePolicy | None = None
    _policies: list[CachePolicy] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.policies is None:
            self._policies = []
        elif isinstance(self.policies, CachePolicy):
            self._policies = [self.policies]
        else:
            self._policies = list(self.policies)
        if self.version is None and not self._policies:
            raise ValueError("If version is not defined then at least one cache policy needs to be set")

    def get_ignored_inputs(self) -> tuple[str, ...]:
        return (self.ignored_inputs,) if isinstance(self.ignored_inputs, str) else tuple(self.ignored_inputs)

    def get_version(self, params: VersionParameters) -> str:
        if self.version is not None:
            return self.version
        joined = ""
        for policy in self._policies:
            try:
                joined += policy.get_version(self.salt, params)
            except Exception as exc:
                raise ValueError(
                    f"Failed to generate version for cache policy {policy}. Please consider setting the "
                    "version in the Cache definition, e.g. Cache(version='v1.2.3')"
                ) from exc
        return hashlib.sha256(joined.encode()).hexdigest()
