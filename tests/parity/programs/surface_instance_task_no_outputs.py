"""A class-based task without outputs returns None, like a function task."""

from flytekit import kwtypes
from flytekit.core.interface import Interface
from flytekit.core.python_function_task import PythonInstanceTask


class Announce(PythonInstanceTask):
    def __init__(self, name: str):
        super().__init__(
            name=name, task_config=None, interface=Interface(inputs=kwtypes(msg=str), outputs={})
        )

    def execute(self, **kwargs) -> None:
        print("announce:", kwargs["msg"])


announce = Announce(name="announce")
print(announce(msg="hi"))
