"""`add_task` is the older spelling of `add_entity`; the workflow's single output comes back bare."""

from flytekit import Workflow, task
from flytekit.core.workflow import ImperativeWorkflow


@task
def square(x: int) -> int:
    return x * x


wf = ImperativeWorkflow(name="imperative.square")
x = wf.add_workflow_input("x", int)
n = wf.add_task(square, x=x)
wf.add_workflow_output("y", n.outputs["o0"])
print(Workflow is ImperativeWorkflow, wf(x=7))
