"""A PythonTask subclass passes TaskMetadata through; `flytekit.extend.context_manager` is importable."""

import typing

from flytekit import TaskMetadata, workflow
from flytekit.extend import Interface, PythonTask, context_manager


class Upper(PythonTask):
    def __init__(self, name: str, **kwargs):
        super().__init__(
            task_type="upper",
            name=name,
            task_config=None,
            interface=Interface(inputs={"s": str}, outputs={"s": str}),
            **kwargs,
        )

    def execute(self, **kwargs) -> typing.Any:
        ctx = context_manager.FlyteContext.current_context()
        ctx.user_space_params.logging.info("upper-casing")
        return kwargs["s"].upper()


upper = Upper(name="upper", metadata=TaskMetadata(retries=2))


@workflow
def wf(s: str) -> str:
    return upper(s=s)


print(wf(s="meta"), upper.metadata.retries)
