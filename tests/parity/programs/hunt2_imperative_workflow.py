"""Imperative workflow with inputs, two entities and a list output."""

from flytekit import Workflow, task


@task
def t1(a: str) -> str:
    return a + " world"


@task
def t2(a: str, b: int) -> str:
    return a * b


wb = Workflow(name="my.imperative.workflow")
a = wb.add_workflow_input("in1", str)
b = wb.add_workflow_input("in2", int)
n1 = wb.add_entity(t1, a=a)
n2 = wb.add_entity(t2, a=n1.outputs["o0"], b=b)
wb.add_workflow_output("from_n2", n2.outputs["o0"], python_type=str)
print(wb(in1="hello", in2=2))
print(list(wb.python_interface.inputs), list(wb.python_interface.outputs))
