"""A task class built directly on PythonTask (flytesnacks' custom task plugin): flytekit's keyword form."""

import typing

from flytekit import workflow
from flytekit.core.base_task import PythonTask
from flytekit.core.interface import Interface


class CountChars(PythonTask):
    _VAR_NAME: str = "text"

    def __init__(self, name: str, **kwargs):
        super().__init__(
            task_type="char-counter",
            name=name,
            task_config=None,
            interface=Interface(inputs={self._VAR_NAME: str}, outputs={"count": int}),
            **kwargs,
        )

    def execute(self, **kwargs) -> typing.Any:
        return len(kwargs[self._VAR_NAME])


counter = CountChars(name="count_chars")


@workflow
def wf(text: str) -> int:
    return counter(text=text)


print(wf(text="hello"), counter.task_type)
