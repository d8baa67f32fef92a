"""Imperative nodes without data dependencies run in the order they were added; `>>` records order."""

from flytekit import Workflow, task


@task
def step(name: str) -> str:
    print("running", name)
    return name


wb = Workflow(name="imperative.ordered")
a = wb.add_entity(step, name="a")
b = wb.add_entity(step, name="b")
c = wb.add_entity(step, name="c")
a >> b
b >> c
wb.add_workflow_output("last", c.outputs["o0"])
print(wb())
