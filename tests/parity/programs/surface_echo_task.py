"""`Echo` passes its inputs through as outputs; handy as a no-op branch of a conditional."""

from flytekit import conditional, task, workflow
from flytekit.core.task import Echo

passthrough = Echo(name="passthrough", inputs={"x": float})


@task
def square(x: float) -> float:
    return x * x


@workflow
def wf(x: float, squared: bool) -> float:
    return conditional("maybe").if_(squared.is_true()).then(square(x=x)).else_().then(passthrough(x=x))


print(wf(x=3.0, squared=True), wf(x=3.0, squared=False))
print(list(passthrough.python_interface.outputs))
