"""`flytekit.__version__` is a version string and `flytekit.logger` the package's logger."""

import logging

import flytekit
from flytekit.loggers import logger

print(isinstance(flytekit.__version__, str), flytekit.__version__.count(".") >= 2)
print(flytekit.logger.name, flytekit.logger is logger, isinstance(logger, logging.Logger))
logger.info("user code may log through flytekit's logger")
