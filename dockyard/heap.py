"""The cyclic garbage collector, paused around bulk work that makes many objects and no garbage."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector while tens of thousands of lasting objects are made (a record's nodes,
    the rows that print them): none is garbage, yet each few hundred allocations would start a collection
    that walks them all again, a fifth of `dockyard status` of 10,000 nodes. It is enabled again after,
    unless it was off before (nested pauses, another thread's, or the program's own choice)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
