"""Plugin-style task classes subscript their base with a config type: `PythonInstanceTask[Config]`."""

from dataclasses import dataclass

from flytekit import kwtypes, workflow
from flytekit.core.interface import Interface
from flytekit.core.python_function_task import PythonInstanceTask


@dataclass
class EchoConfig:
    prefix: str


class EchoTask(PythonInstanceTask[EchoConfig]):
    def __init__(self, name: str, config: EchoConfig, **kwargs):
        super().__init__(
            name=name,
            task_config=config,
            interface=Interface(inputs=kwtypes(text=str), outputs=kwtypes(o0=str)),
            **kwargs,
        )

    def execute(self, **kwargs) -> str:
        return self.task_config.prefix + kwargs["text"]


echo = EchoTask(name="echo", config=EchoConfig(prefix=">> "))


@workflow
def wf(text: str) -> str:
    return echo(text=text)


print(wf(text="hi"))
print(echo.task_config)
