"""Small helpers flytekit exposes in `flytekit.core.utils` that user code calls."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("dockyard")


def str2bool(value: str | None) -> bool:
    """flytekit's reading of a boolean setting: true, t or 1 (any case); anything else is false."""
    return value is not None and value.lower() in ("true", "t", "1")


class timeit:
    """Log how long a block or function took (debug level): `@timeit("what")` or `with timeit("what")`."""

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.start = 0.0

    def __enter__(self) -> timeit:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        logger.debug("%s took %.3fs", self.name, time.perf_counter() - self.start)

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            with timeit(self.name or fn.__name__):
                return fn(*args, **kwargs)

        return timed
