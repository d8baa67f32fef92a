"""Tasks may log through flytekit's logger; logs are not printed output."""

from flytekit import logger, task


@task
def noisy(x: int) -> int:
    logger.info("processing %d", x)
    logger.warning("almost done")
    return x


print(noisy(x=7))
