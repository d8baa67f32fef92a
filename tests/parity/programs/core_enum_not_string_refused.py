"""An enum whose values are not strings cannot be a task input: flytekit refuses it when the task is
defined, with a TypeTransformerFailedError."""

import enum

from flytekit import task


class Level(enum.Enum):
    LOW = 1
    HIGH = 2


print("defining")


@task
def pick(level: Level) -> str:
    return level.name
