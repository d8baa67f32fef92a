"""flytekit's `flytekit.loggers`: the package's logger, which user code also logs to."""

import logging

logger = logging.getLogger("dockyard")

__all__ = ["logger"]
