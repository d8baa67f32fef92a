"""The imperative Workflow: inputs, entities and outputs added by calls, then run like any workflow."""

from flytekit import Workflow, task


@task
def t1(a: str) -> str:
    return a + " world"


@task
def t2(a: str, b: str) -> str:
    return b + a


wb = Workflow(name="my.imperative.workflow.example")
wb.add_workflow_input("in1", str)
node = wb.add_entity(t1, a=wb.inputs["in1"])
wb.add_workflow_input("in2", str)
node2 = wb.add_entity(t2, a="hello", b=wb.inputs["in2"])
wb.add_workflow_output("from_n0t1", node.outputs["o0"])
wb.add_workflow_output("from_n1t2", node2.outputs["o0"])
print(type(wb).__name__, wb.name)
print(list(node.outputs))
print(list(wb.python_interface.inputs), list(wb.python_interface.outputs))
print(wb(in1="hello", in2="foo"))
