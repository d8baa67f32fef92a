"""`@task`: a typed Python function that runs as one unit, locally in process or remotely in a container.

Task metadata (resources, image, secrets, retries, timeout, cache) is kept as plain attributes for the
runtime and the CLI; locally `Resources`, `accelerator` and `pod_template` are recorded, not enforced.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any, ClassVar, TypeVar, overload

from dockyard.sdk.cache_policy import Cache, VersionParameters
from dockyard.sdk.context import Secret
from dockyard.sdk.entities import Entity
from dockyard.sdk.errors import TaskDefinitionError
from dockyard.sdk.interface import interface_of
from dockyard.sdk.reuse import ReusePolicy

F = TypeVar("F", bound=Callable[..., Any])


def _seconds(owner: str, timeout: Any) -> float | None:
    if timeout is None or timeout == 0:
        return None
    if isinstance(timeout, timedelta):
        seconds = timeout.total_seconds()
    elif isinstance(timeout, int | float) and not isinstance(timeout, bool):
        seconds = float(timeout)
    else:
        raise TaskDefinitionError(f"task {owner}: timeout must be a timedelta or seconds, got {timeout!r}")
    if seconds <= 0:
        raise TaskDefinitionError(f"task {owner}: timeout must be positive, got {timeout!r}")
    return seconds


class PythonTask(Entity):
    """A @task: the function, its interface, and its execution metadata."""

    node_kind: ClassVar[str] = "task"
    has_body: ClassVar[bool] = True  # flytekit refuses a body that declares outputs and never says `return`

    def __init__(
        self,
        fn: Callable[..., Any] | str | None = None,
        *,
        task_type: str = "python-task",
        interface: Any = None,
        metadata: Any = None,
        cache: Any = False,
        cache_version: str = "",
        cache_serialize: bool = False,
        cache_ignore_input_vars: Iterable[str] = (),
        retries: int = 0,
        timeout: timedelta | int | float | None = None,
        interruptible: bool | None = None,
        container_image: Any = None,
        environment: dict[str, str] | None = None,
        requests: Any = None,
        limits: Any = None,
        resources: Any = None,
        accelerator: Any = None,
        secret_requests: list[Secret] | None = None,
        pod_template: Any = None,
        pod_template_name: str | None = None,
        task_config: Any = None,
        deprecated: str = "",
        docs: Any = None,
        labels: dict[str, str] | None = None,
        annotations: dict[str, str] | None = None,
        enable_deck: bool = False,
        disable_deck: bool | None = None,
        name: str | None = None,
        reusable: ReusePolicy | None = None,
    ) -> None:
        if not callable(fn):  # flytekit's class form, PythonTask(task_type=..., name=..., interface=...)
            from dockyard.sdk.instance_task import execute_body

            task_type = fn or task_type
            fn = execute_body(self, name or type(self).__name__, interface)
        assert callable(fn)
        if metadata is not None:  # flytekit's TaskMetadata, whose options win over the defaults here
            retries = metadata.retries or retries
            timeout = metadata.timeout or timeout
            interruptible = metadata.interruptible if metadata.interruptible is not None else interruptible
            cache, cache_version = metadata.cache or cache, metadata.cache_version or cache_version
            cache_serialize = metadata.cache_serialize or cache_serialize
            cache_ignore_input_vars = metadata.cache_ignore_input_vars or cache_ignore_input_vars
            deprecated = metadata.deprecated or deprecated
            pod_template_name = metadata.pod_template_name or pod_template_name
        self.task_type = task_type
        self.metadata = metadata
        super().__init__(fn, name)
        self.interface = interface_of(fn, "task", has_body=self.has_body)
        if cache is True:  # flytekit turns the old arguments into a Cache, which wants a version
            cache = Cache(cache_version or None, cache_serialize, tuple(cache_ignore_input_vars))
        if isinstance(cache, Cache):
            cache_version = cache.get_version(
                VersionParameters(fn, container_image, pod_template, pod_template_name)
            )
            cache_serialize = cache.serialize
            cache_ignore_input_vars = cache.get_ignored_inputs()
        unknown = [v for v in cache_ignore_input_vars if v not in self.interface.inputs]
        if unknown:
            raise TaskDefinitionError(
                f"task {self.name}: cache_ignore_input_vars names unknown inputs {unknown}"
            )
        if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
            raise TaskDefinitionError(
                f"task {self.name}: retries must be a non-negative int, got {retries!r}"
            )
        if reusable is not None and not isinstance(reusable, ReusePolicy):
            raise TaskDefinitionError(f"task {self.name}: reusable must be a ReusePolicy, got {reusable!r}")
        for secret in secret_requests or []:
            if not isinstance(secret, Secret):
                raise TaskDefinitionError(f"task {self.name}: secret_requests holds {secret!r}, not a Secret")
        self.cache: bool = bool(cache)
        self.is_async = inspect.iscoroutinefunction(fn)
        self.cache_version = cache_version
        self.cache_serialize = cache_serialize
        self.cache_ignore_input_vars = tuple(cache_ignore_input_vars)
        self.retries = retries
        self.timeout_s = _seconds(self.name, timeout)
        self.timeout = None if self.timeout_s is None else timedelta(seconds=self.timeout_s)
        self.interruptible = interruptible
        self.container_image = container_image
        self.environment = dict(environment or {})
        self.requests = requests
        self.limits = limits
        self.resources = resources
        self.accelerator = accelerator
        self.secret_requests = list(secret_requests or [])
        self.pod_template = pod_template
        self.pod_template_name = pod_template_name
        self.task_config = task_config
        self.deprecated = deprecated
        self.docs = docs
        self.labels = dict(labels or {})
        self.annotations = dict(annotations or {})
        self.enable_deck = enable_deck and not disable_deck
        self.reusable = reusable  # dockyard's own: warm containers for its attempts (sdk/reuse.py)

    def overridden(self, overrides: dict[str, Any]) -> PythonTask:
        """A copy with a node's `.with_overrides(...)` applied: what the node's attempts run with."""
        known = _OVERRIDABLE & set(overrides)
        if not known:
            return self
        copied = copy.copy(self)
        for key in known - {"timeout", "cache", "cache_version", "cache_serialize"}:
            setattr(copied, key, overrides[key])
        if "timeout" in overrides:
            copied.timeout_s = _seconds(self.name, overrides["timeout"])
            copied.timeout = None if copied.timeout_s is None else timedelta(seconds=copied.timeout_s)
        cache = overrides.get("cache")
        if isinstance(cache, Cache):
            copied.cache, copied.cache_version = True, cache.get_version(VersionParameters(self.fn))
            copied.cache_serialize = cache.serialize
            copied.cache_ignore_input_vars = cache.get_ignored_inputs()
        elif cache is not None:
            copied.cache = bool(cache)
        copied.cache_version = overrides.get("cache_version", copied.cache_version)
        copied.cache_serialize = overrides.get("cache_serialize", copied.cache_serialize)
        return copied


# `.with_overrides(...)` keys that change how a node's task runs (others, like `name`, are only recorded)
_OVERRIDABLE = frozenset(
    {
        "retries",
        "timeout",
        "cache",
        "cache_version",
        "cache_serialize",
        "container_image",
        "requests",
        "limits",
        "resources",
        "accelerator",
        "interruptible",
        "pod_template",
        "environment",
        "task_config",
    }
)


@overload
def task(_task_function: F, **kwargs: Any) -> PythonTask: ...
@overload
def task(_task_function: None = None, **kwargs: Any) -> Callable[[F], PythonTask]: ...
def task(_task_function: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
    """Turn a function into a task; usable bare (`@task`) or with parameters (`@task(retries=3)`)."""

    def wrap(fn: Callable[..., Any]) -> PythonTask:
        return PythonTask(fn, **kwargs)

    return wrap if _task_function is None else wrap(_task_function)


_EAGER_ONLY = (
    "remote",
    "client_secret_group",
    "client_secret_key",
    "client_secret_env_var",
    "local_entrypoint",
)


def eager(_fn: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
    """`@eager`: an `async def` workflow whose body calls tasks with real values (a sync task returns its
    value, an async one is awaited). Calling it gives an awaitable, as in flytekit; locally it runs as one
    task whose body calls the others. Options that only reach a Flyte backend are accepted and ignored."""
    options = {k: v for k, v in kwargs.items() if k not in _EAGER_ONLY}

    def wrap(fn: Callable[..., Any]) -> PythonTask:
        return PythonTask(fn, **options)

    return wrap if _fn is None else wrap(_fn)
