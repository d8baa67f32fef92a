"""A user task class: PythonInstanceTask with an interface and an execute method."""

from flytekit import kwtypes, workflow
from flytekit.core.base_task import TaskMetadata
from flytekit.core.interface import Interface
from flytekit.core.python_function_task import PythonInstanceTask


class Repeat(PythonInstanceTask):
    def __init__(self, name: str, times: int, **kwargs):
        self.times = times
        super().__init__(
            name=name,
            task_config=None,
            interface=Interface(inputs=kwtypes(word=str), outputs=kwtypes(o0=str)),
            **kwargs,
        )

    def execute(self, **kwargs) -> str:
        return " ".join([kwargs["word"]] * self.times)


thrice = Repeat(name="repeat_thrice", times=3, metadata=TaskMetadata(retries=1))


@workflow
def wf(word: str) -> str:
    return thrice(word=word)


print(wf(word="ho"))
print(thrice(word="hey"))
