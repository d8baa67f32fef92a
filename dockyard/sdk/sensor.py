"""flytekit's sensors: tasks that wait until a condition holds, checked by their `async poke(**inputs)`.

In flytekit a connector polls the sensor; locally it polls `poke` once a second in the task itself, with
the inputs of `poke`'s signature and no outputs. Here the sensor is a class-based task whose body does
that polling, so a local run, a remote container and the task's `timeout` all treat it like any task.
"""

from __future__ import annotations

import datetime
import inspect
import time
import typing
from typing import Any

from dockyard.sdk.instance_task import PythonInstanceTask, TaskMetadata

POLL_S = 1.0  # flytekit's connector checks a sensor once a second


class BaseSensor(PythonInstanceTask):
    """A task that returns once `poke(**inputs)` (a coroutine function the subclass writes) is true."""

    def __init__(
        self,
        name: str,
        timeout: datetime.timedelta | int | None = None,
        sensor_config: Any = None,
        task_type: str = "sensor",
        **kwargs: Any,
    ) -> None:
        hints = typing.get_type_hints(self.poke, include_extras=True)
        inputs = {k: hints.get(k) for k in inspect.signature(self.poke).parameters}
        metadata = kwargs.pop("metadata", None)
        if metadata is not None and timeout is not None:
            if metadata.timeout is not None:
                raise ValueError(
                    "You cannot set both timeout and metadata parameters at the same time in the sensor"
                )
            metadata.timeout = timeout
        elif metadata is None:
            metadata = TaskMetadata(timeout=timeout) if timeout else TaskMetadata()
        super().__init__(
            name=name, task_type=task_type, inputs=inputs, outputs={}, metadata=metadata, **kwargs
        )
        self.sensor_config = sensor_config

    async def poke(self, **kwargs: Any) -> bool:
        raise NotImplementedError

    def execute(self, **kwargs: Any) -> None:
        from dockyard.sdk.local import call_body

        while not call_body(self.poke, kwargs):
            time.sleep(POLL_S)


class FileSensor(BaseSensor):
    """Waits until a file exists (asked of the context's file access, as flytekit asks its filesystem)."""

    def __init__(self, name: str, timeout: datetime.timedelta | int | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, timeout=timeout, **kwargs)

    async def poke(self, path: str) -> bool:  # type: ignore[override]
        from dockyard.sdk.flyte_context import FlyteContextManager

        return FlyteContextManager.current_context().file_access.exists(path)
